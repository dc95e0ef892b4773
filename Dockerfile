# One image for web (ASGI), worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=cssr.settings PYTHONPATH=/app
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
RUN pip install --no-cache-dir . \
 && DJANGO_DEBUG=1 python manage.py compilemessages --ignore=.venv --ignore=assets -v 0 \
 && DJANGO_DEBUG=1 STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput -v 0
RUN useradd --system --uid 1000 cssr && mkdir -p /data/media && chown -R cssr /data
USER cssr
EXPOSE 8000
CMD ["daphne", "--bind", "0.0.0.0", "--port", "8000", "--proxy-headers", "--access-log", "/dev/null", "cssr.asgi:application"]
