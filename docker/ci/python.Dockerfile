# CI's stand-in for python:3.11-slim: Debian's Python 3.11 and pip. Debian marks its
# Python as externally managed (PEP 668); in an image that is the point, so allow it.
ARG DEBIAN_IMAGE=nalish-ci/debian:bookworm
FROM ${DEBIAN_IMAGE}
ENV PIP_BREAK_SYSTEM_PACKAGES=1
CMD ["python3"]
