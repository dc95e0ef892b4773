"""`field__any_of=[...]`: the rows of `field__in=[...]`, with the list bound as one parameter on
PostgreSQL (`field = ANY(%s)`, an array) instead of one parameter per value.

The jobs filter by batches of hundreds of ids; spelling each out as its own parameter cost more in
query building than the database spent answering. Elsewhere (SQLite) it is a plain IN.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"

    def get_prep_lookup(self):
        prepare = self.lhs.output_field.get_prep_value
        return [prepare(value) for value in dict.fromkeys(self.rhs)]

    def _values(self, connection):
        if not self.rhs:
            raise EmptyResultSet
        prepare = self.lhs.output_field.get_db_prep_value
        return [prepare(value, connection, prepared=True) for value in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = self._values(connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*lhs_params, *values)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, self._values(connection))


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # relations keep their own list of lookups
