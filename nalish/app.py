"""The web app: `create_app()` wires settings, stores, queues and routes together.

Embedded mode (no `NALISH_REDIS_URL`): the SQLite database is migrated at start-up,
menu sessions live in memory, jobs run on a background thread and periodic jobs on a
ticker thread — one process, nothing else to install. With Redis, the app only
enqueues; `nalish worker` processes do the sending and the sweeps.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version as package_version

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from channels.africastalking.routes import router as africastalking_router
from channels.channel_log import CHANNEL_LOG
from channels.httpgateway.routes import router as httpgateway_router
from channels.observe import ChannelObserver
from channels.twilio.routes import router as twilio_router
from dashboards.routes import router as dashboards_router
from dashboards.security import SecurityHeaders
from infra import background_jobs
from infra.settings import get_settings
from menus import registry as menu_registry
from menus import synthesis
from menus.voice_audio import PROMPTS_DIR
from nalish import api_docs, migrate, periodic, ussd_fast_path, wiring
from nalish.api.routes import router as api_router
from nalish.guard import BodyLimit, CleanInput
from nalish.health import router as health_router
from nalish.metrics import router as metrics_router
from nalish.request_ids import RequestId
from nalish.simulator import router as simulator_router
from public import render as public_render
from public.open311 import router as open311_router
from public.open_data_routes import router as open_data_router
from public.track import router as track_router

log = logging.getLogger("nalish.app")


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="Nalish",
        summary="Helpline and grievance redress: USSD, SMS and voice intake, routing, SLAs.",
        version=package_version("nalish"),
        lifespan=_lifespan,
        docs_url=None,  # api_docs serves /docs and /redoc from the package, not a CDN
        redoc_url=None,
    )
    api_docs.install(app)
    app.state.session_store = wiring.session_store(settings)
    app.state.locks = wiring.locks(settings)
    app.include_router(health_router)
    app.include_router(metrics_router)
    app.include_router(africastalking_router)
    app.include_router(twilio_router)
    app.include_router(httpgateway_router)
    app.include_router(api_router)
    app.include_router(simulator_router)
    app.include_router(dashboards_router)  # /login, /logout, /dashboard/…
    app.include_router(open311_router)  # /open311/… (public.open311)
    app.include_router(track_router)  # /track, /track/{ref} (public.track)
    app.include_router(open_data_router)  # /open-data/ (public.open_data_routes)
    # Recorded IVR prompts, fetched by the telcos for <Play> (unless
    # NALISH_PROMPTS_BASE_URL points them elsewhere); see menus/prompts/README.md.
    app.mount("/public/static", StaticFiles(directory=public_render.STATIC), name="public")
    app.mount("/media/prompts", StaticFiles(directory=PROMPTS_DIR), name="prompts")
    # Prompts espeak-ng rendered in the caller's language (menus/synthesis.py).
    speech = synthesis.speech_dir()
    speech.mkdir(parents=True, exist_ok=True)
    app.mount("/media/speech", StaticFiles(directory=speech), name="speech")
    # Outermost last: headers on every answer (even a 413); the observer logs what a
    # telco sent and got, the limit refuses an oversized body as it streams, and only
    # then is the input cleaned of control characters and handed to a route.
    webhook_routers = (africastalking_router, twilio_router, httpgateway_router)
    app.add_middleware(CleanInput)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(ChannelObserver, routers=webhook_routers)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestId)  # every line of the request carries its id
    # A USSD hop takes the same guards in a chain of its own, past the router.
    fast = ussd_fast_path.chain(
        app, routers=webhook_routers, max_body_bytes=settings.max_body_bytes
    )
    app.add_middleware(ussd_fast_path.UssdFastPath, chain=fast)
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    if settings.insecure_http_trial:
        log.warning(
            "INSECURE: NALISH_INSECURE_HTTP_TRIAL is on; sign-in cookies travel over plain "
            "http, readable by anyone on the network. For a trial only: put TLS in front "
            "and turn it off before real complaints arrive."
        )
    # Every menu definition is checked now: a mistake (a dangling goto, an unknown
    # source) stops start-up with the file and node named, not a citizen's call later.
    menu_registry.reset()
    menu_registry.flow()
    if settings.database_url.startswith("sqlite"):
        migrate.upgrade()  # the embedded default creates and migrates its own file
    context = app.state.context = wiring.configure_process(settings)
    app.state.ussd_store = wiring.async_session_store(settings)
    CHANNEL_LOG.start()
    ticker = None
    if context.job_queue is None:
        thread_queue = background_jobs.ThreadJobQueue()
        wiring.use_job_queue(context, thread_queue)
        ticker = periodic.Ticker(periodic.in_process(thread_queue, time.monotonic)).start()
        log.info("embedded mode: jobs and periodic sweeps run in this process")
    app.state.job_queue = context.job_queue
    # Start-up leaves ~100k long-lived objects (models, gazetteer, libraries). Without
    # this, every full collection under load walks them all for ~100 ms, which is the
    # tail latency a citizen feels; frozen, they are left out of collections.
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        if ticker is not None:
            ticker.stop()
            thread_queue.stop()
        CHANNEL_LOG.stop()
        if hasattr(app.state.ussd_store, "close"):
            await app.state.ussd_store.close()
        wiring.use_job_queue(context, None)
