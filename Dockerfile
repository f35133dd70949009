# Production image: gunicorn serves the app, the same image runs Celery.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY rme_platform rme_platform
COPY schools schools
COPY networks networks
COPY pme pme
COPY monitoring monitoring
RUN pip install --no-cache-dir -c constraints.txt .
COPY . .

# Static files with the production storage (hashed names + manifest).
RUN DEBUG=1 python manage.py compilemessages --locale en --locale es --ignore ".venv/*" \
    && SECRET_KEY=build-only-not-secret DEBUG=0 python manage.py collectstatic --noinput

RUN useradd --create-home rme && mkdir -p /app/var/media && chown -R rme /app/var
USER rme

EXPOSE 8000
CMD ["gunicorn", "rme_platform.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-", "--logger-class", "rme_platform.gunicorn_logging.RouteAccessLogger"]
