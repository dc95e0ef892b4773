# One image for web (ASGI), worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=cssr.settings PYTHONPATH=/app
# gettext compiles the translations. WeasyPrint draws the PDF exports (documents/exports.py) with
# Pango, HarfBuzz (Arabic shaping; its subset library keeps the embedded fonts small) and fontconfig.
# The exports embed the vendored IBM Plex Sans Arabic (static/vendor/fonts); DejaVu Sans, which has
# Arabic, is the sans-serif their CSS falls back to. tests/test_deploy.py checks this list against them.
RUN apt-get update && apt-get install -y --no-install-recommends \
      gettext \
      libglib2.0-0 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fontconfig \
      fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
COPY . .
# The build needs settings but no secret: a placeholder key keeps one from being made under var/.
RUN pip install --no-cache-dir . \
 && SECRET_KEY=unused-while-building python manage.py compilemessages --ignore=.venv --ignore=assets -v 0 \
 && SECRET_KEY=unused-while-building STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput -v 0 \
 && python -c "from weasyprint import HTML; assert HTML(string='<p dir=rtl>\u0645\u0631\u062d\u0628\u0627</p>').write_pdf()"
RUN useradd --system --uid 1000 cssr && mkdir -p /data/media && chown -R cssr /data
USER cssr
EXPOSE 8000
# The web server as docker-compose.yml runs it: uvicorn, one worker process per core (WEB_CONCURRENCY).
CMD ["sh", "-c", "exec uvicorn cssr.asgi:application --host 0.0.0.0 --port 8000 --workers \"${WEB_CONCURRENCY:-$(nproc)}\" --proxy-headers --forwarded-allow-ips '*' --no-access-log --log-level warning --lifespan off --ws websockets-sansio"]
