# slot-planner service: slim Python image, non-root user, gunicorn (see boot.sh).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    SLOT_PLANNER_SQL_DIR=/app/sql \
    SLOT_PLANNER_DEMO_FILE=/app/examples/demo-day.json \
    PORT=8080

RUN useradd --create-home --uid 10001 app
WORKDIR /app

# Dependencies and code in one layer: the package is small, its dependencies are wheels.
COPY pyproject.toml README.md ./
COPY solver ./solver
COPY api ./api
RUN pip install . && rm -rf build *.egg-info

COPY sql ./sql
COPY examples ./examples
COPY boot.sh gunicorn.conf.py ./

USER app
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
    CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"
CMD ["./boot.sh"]
