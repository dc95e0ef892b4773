"""Forms of the questionnaires: the builder's settings and questions, and the respondent's answers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cssr.params import ModelChoiceIdField
from workgroups.models import Question, Questionnaire, Role, Space, Theme
from workgroups.services.questionnaires import text_limit


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class QuestionnaireSettingsForm(forms.Form):
    title_ar = forms.CharField(
        label=_("Title (Arabic)"), max_length=200, widget=forms.TextInput(attrs={"dir": "rtl"})
    )
    title_en = forms.CharField(
        label=_("Title (English)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    intro_ar = forms.CharField(
        label=_("Introduction (Arabic)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "rtl"}),
    )
    intro_en = forms.CharField(
        label=_("Introduction (English)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}),
    )
    audience = forms.ChoiceField(label=_("Addressed to"), choices=Questionnaire.Audience.choices)
    audience_space = ModelChoiceIdField(label=_("Space"), queryset=Space.objects.none(), required=False)
    audience_role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)
    is_anonymous = forms.BooleanField(
        label=_("Anonymous: answers are stored without the respondent's name (fixed once published)"),
        required=False,
    )
    allow_changes = forms.BooleanField(
        label=_("Respondents may change their answers while it is open"), required=False
    )
    opens_at = forms.DateTimeField(label=_("Opens"), widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Closes"), widget=DateTimeInput(), required=False)

    def __init__(self, *args, space=None, **kwargs):
        super().__init__(*args, **kwargs)
        if space is None:
            self.fields["audience_space"].queryset = Space.objects.filter(status=Space.Status.ACTIVE)
        else:
            del self.fields["audience_space"]
            self.fields["audience"].choices = [
                (Questionnaire.Audience.ALL, _("All members of the space")),
                (Questionnaire.Audience.ROLE, _("The holders of one role")),
            ]


KIND_CHOICES = [choice for choice in Question.Kind.choices if choice[0] != Question.Kind.DECLARATION]


class QuestionForm(forms.Form):
    text_ar = forms.CharField(
        label=_("Question (Arabic)"), max_length=500, widget=forms.TextInput(attrs={"dir": "rtl"})
    )
    text_en = forms.CharField(
        label=_("Question (English)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    help_text_ar = forms.CharField(label=_("Explanation (Arabic)"), max_length=500, required=False)
    help_text_en = forms.CharField(label=_("Explanation (English)"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("Type"), choices=Question.Kind.choices)
    is_required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    scale_min = forms.IntegerField(
        label=_("Scale from"), initial=1, min_value=-10, max_value=10, required=False
    )
    scale_max = forms.IntegerField(
        label=_("Scale to"), initial=5, min_value=-10, max_value=10, required=False
    )
    options = forms.CharField(
        label=_("Options, one per line (Arabic | English)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )

    def __init__(self, *args, declaration=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not declaration:
            self.fields["kind"].choices = KIND_CHOICES

    def option_pairs(self):
        pairs = []
        for line in (self.cleaned_data.get("options") or "").splitlines():
            arabic, _bar, english = line.partition("|")
            if arabic.strip():
                pairs.append((arabic.strip()[:300], english.strip()[:300]))
        return pairs


class OptionForm(forms.Form):
    text_ar = forms.CharField(
        label=_("Option (Arabic)"), max_length=300, widget=forms.TextInput(attrs={"dir": "rtl"})
    )
    text_en = forms.CharField(
        label=_("Option (English)"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )


class ThemeTagForm(forms.Form):
    name = forms.CharField(label=_("Theme"), max_length=80, widget=forms.TextInput(attrs={"dir": "auto"}))
    answers = forms.TypedMultipleChoiceField(
        coerce=int, choices=[], required=True, error_messages={"required": _("Choose at least one answer.")}
    )

    def __init__(self, *args, answer_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answers"].choices = [(pk, pk) for pk in answer_ids]


def field_name(question):
    return question.key or f"q{question.pk}"


class SubmissionForm(forms.Form):
    """One field per question. `submit` makes required questions required (a draft may be partial).

    `values()` gives the service its answers: {Question: Option | [Option] | int | str | True}."""

    def __init__(self, *args, questions, submit=True, submission=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.submit = submit
        saved = _saved_values(submission) if submission is not None else {}
        for question in self.questions:
            name = field_name(question)
            required = submit and question.is_required
            common = {"label": question.text, "required": required, "help_text": question.help_text}
            options = list(question.options.all())
            if question.kind in (Question.Kind.SINGLE, Question.Kind.REGION):
                widget = forms.Select if question.kind == Question.Kind.REGION else forms.RadioSelect
                choices = [(option.pk, option.text) for option in options]
                if question.kind == Question.Kind.REGION:
                    choices = [("", "—"), *choices]
                field = forms.TypedChoiceField(
                    coerce=int, choices=choices, widget=widget, empty_value=None, **common
                )
            elif question.kind == Question.Kind.MULTIPLE:
                field = forms.TypedMultipleChoiceField(
                    coerce=int,
                    choices=[(o.pk, o.text) for o in options],
                    widget=forms.CheckboxSelectMultiple,
                    **common,
                )
            elif question.kind == Question.Kind.SCALE:
                field = forms.TypedChoiceField(
                    coerce=int,
                    empty_value=None,
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                    choices=[(value, value) for value in question.scale_values],
                    **common,
                )
            elif question.is_text:
                limit = text_limit(question.kind)
                attrs = {"dir": "auto", "maxlength": limit}
                widget = (
                    forms.TextInput(attrs=attrs)
                    if question.kind == Question.Kind.SHORT_TEXT
                    else forms.Textarea(attrs={**attrs, "rows": 4})
                )
                field = forms.CharField(max_length=limit, widget=widget, **common)
            elif question.kind == Question.Kind.DECLARATION:
                field = forms.BooleanField(
                    error_messages={"required": _("This declaration is required to take part.")}, **common
                )
            else:  # ranking: one rank per option
                field = None
                for option in options:
                    rank_name = f"{name}_r{option.pk}"
                    self.fields[rank_name] = forms.TypedChoiceField(
                        label=option.text,
                        coerce=int,
                        empty_value=None,
                        required=False,
                        choices=[("", "—"), *((rank, rank) for rank in range(1, len(options) + 1))],
                    )
                    self.fields[rank_name].ranking_of = question
                    if rank_name in saved:
                        self.initial[rank_name] = saved[rank_name]
            if field is not None:
                field.question = question
                self.fields[name] = field
                if name in saved:
                    self.initial[name] = saved[name]

    def clean(self):
        cleaned = super().clean()
        self.ranked = {}
        for question in self.questions:
            if question.kind != Question.Kind.RANKING:
                continue
            name = field_name(question)
            ranks = {option: cleaned.get(f"{name}_r{option.pk}") for option in question.options.all()}
            given = {option: rank for option, rank in ranks.items() if rank is not None}
            if not given:
                if self.submit and question.is_required:
                    self.add_error(
                        None, _("Rank the options of “%(question)s”.") % {"question": question.text}
                    )
                continue
            if len(given) != len(ranks) or sorted(given.values()) != list(range(1, len(ranks) + 1)):
                self.add_error(
                    None,
                    _("Give each option of “%(question)s” a different rank, from 1 to %(count)s.")
                    % {"question": question.text, "count": len(ranks)},
                )
                continue
            self.ranked[question] = [
                option for option, _rank in sorted(given.items(), key=lambda item: item[1])
            ]
        return cleaned

    def values(self):
        result = {}
        for question in self.questions:
            if question.kind == Question.Kind.RANKING:
                result[question] = self.ranked.get(question, [])
                continue
            value = self.cleaned_data.get(field_name(question))
            options = {option.pk: option for option in question.options.all()}
            if question.kind in (Question.Kind.SINGLE, Question.Kind.REGION):
                value = options.get(value) if value is not None else None
            elif question.kind == Question.Kind.MULTIPLE:
                value = [options[pk] for pk in value or []]
            elif question.is_text:
                value = (value or "").strip()
            result[question] = value
        return result

    def fields_of(self, question):
        """The bound fields of one question (several for a ranking), for the template."""
        name = field_name(question)
        if question.kind == Question.Kind.RANKING:
            return [self[f"{name}_r{option.pk}"] for option in question.options.all()]
        return [self[name]]


def _saved_values(submission):
    saved = {}
    for answer in submission.answers.all():
        question = answer.question
        name = field_name(question)
        chosen = sorted(answer.choices.all(), key=lambda choice: choice.rank or 0)
        if question.kind in (Question.Kind.SINGLE, Question.Kind.REGION):
            saved[name] = chosen[0].option_id if chosen else None
        elif question.kind == Question.Kind.MULTIPLE:
            saved[name] = [choice.option_id for choice in chosen]
        elif question.kind == Question.Kind.RANKING:
            for choice in chosen:
                saved[f"{name}_r{choice.option_id}"] = choice.rank
        elif question.is_text:
            saved[name] = answer.text
        elif question.kind == Question.Kind.SCALE:
            saved[name] = answer.number
        elif question.kind == Question.Kind.DECLARATION:
            saved[name] = True
    return saved


class InterestForm(SubmissionForm):
    """The expression-of-interest questionnaire: the theme, then the questions staff set."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, submit=True, **kwargs)
        theme = ModelChoiceIdField(
            queryset=Theme.objects.all(), label=_("Which theme would you like to work on?")
        )
        self.fields = {"theme": theme, **self.fields}
