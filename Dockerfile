# The one image behind the web, worker and beat services of docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production

RUN useradd --create-home --uid 1000 clinic
WORKDIR /app

# The runtime lock: every package pinned, each with its hashes (scripts/lock.py).
COPY requirements.txt ./
RUN pip install --require-hashes -r requirements.txt

COPY --chown=clinic:clinic . .
# collectstatic needs settings, not secrets: throwaway values for this one step.
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build DATABASE_URL=sqlite:////tmp/build.db REDIS_URL=redis://build:6379/0 \
    EMAIL_HOST=build DEFAULT_FROM_EMAIL=build@example.org SITE_URL=https://build.example.org \
    python manage.py collectstatic --noinput

USER clinic
EXPOSE 8000
CMD ["gunicorn", "clinic.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
