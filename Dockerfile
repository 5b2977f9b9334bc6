# The app in one container: slim Python, the CPU build of torch, a non-root user.
#   docker build -t dl-getting-started .
#   docker run -p 8501:8501 dl-getting-started                   # one server
#   docker run -p 8501:8501 -e WORKERS=2 dl-getting-started      # one per core, HAProxy + Redis
# Models and their evaluation files come from assets/; no data set is copied (the pages
# that train read DLCORE_DATA_DIR, or download to the user's cache where there is internet).
FROM python:3.11-slim

SHELL ["/bin/bash", "-o", "pipefail", "-c"]

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# HAProxy and redis-server serve WORKERS > 1 (deploy/serve); one server needs neither.
RUN apt-get update \
    && apt-get install -y --no-install-recommends haproxy redis-server \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app
WORKDIR /app

# torch and torchvision from PyTorch's CPU index only (the CUDA build from PyPI is ~2 GB
# more and several hundred MB more memory per server), then the rest of the pins.
COPY requirements.txt ./
RUN grep -E '^(torch|torchvision)==' requirements.txt \
        | xargs pip install --no-deps --index-url https://download.pytorch.org/whl/cpu \
    && pip install -r requirements.txt \
    && python -c "import sys, torch; sys.exit(torch.version.cuda is not None)"

COPY --chown=app:app .streamlit/ .streamlit/
COPY --chown=app:app app.py ./
COPY --chown=app:app dlcore/ dlcore/
COPY --chown=app:app pages/ pages/
COPY --chown=app:app assets/ assets/
COPY --chown=app:app static/ static/
COPY --chown=app:app ui/ ui/
COPY --chown=app:app deploy/ deploy/

USER app
ENV PORT=8501 WORKERS=1
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_stcore/health' % os.environ.get('PORT', '8501'), timeout=4)"
# deploy/serve reads WORKERS and PORT: plain `streamlit run` for one worker
CMD ["python", "deploy/serve", "--bind", "0.0.0.0"]
