FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY dsr_project ./dsr_project
COPY registry ./registry
COPY fixtures ./fixtures
COPY manage.py ./
RUN pip install --no-cache-dir . \
    && DEBUG=1 python manage.py collectstatic --noinput
RUN useradd --system --home /app dsr
USER dsr
EXPOSE 8000
CMD ["gunicorn", "dsr_project.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
