"""Deployment defaults: the application connects as its own non-superuser role (which can still migrate
its database), compose takes every secret from .env and publishes the service on loopback only."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from pathlib import Path

import psycopg
import yaml
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from api import create_app
from api.db import close_pool

REPO = Path(__file__).resolve().parents[2]


def test_the_app_role_is_no_superuser_and_migrates_and_serves(database_url: str) -> None:
    suffix = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
    role, name = f"sp_app_{suffix}", f"slot_planner_deploy_{suffix}"
    admin = make_conninfo(database_url, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    params = conninfo_to_dict(admin)
    try:
        run = subprocess.run(
            ["psql", "-v", "ON_ERROR_STOP=1", "-h", params.get("host", "127.0.0.1"),
             "-p", str(params.get("port", 5432)), "-U", params.get("user", "postgres"), "-d", "postgres",
             "-v", f"app_user={role}",
             "-v", "app_password=secret", "-v", f"app_db={name}", "-f", str(REPO / "deploy" / "app-role.sql")],
            capture_output=True, text=True, timeout=60, check=False)
        assert run.returncode == 0, run.stderr
        url = make_conninfo(database_url, dbname=name, user=role)
        app = create_app({"DATABASE_URL": url})
        try:
            upgraded = app.test_cli_runner().invoke(args=["db", "upgrade"])
            assert upgraded.exit_code == 0, upgraded.output
            made = app.test_cli_runner().invoke(args=["token", "create", "--role", "manager"])
            assert made.exit_code == 0, made.output
            client = app.test_client()
            auth = {"Authorization": f"Bearer {made.output.split()[-1]}"}
            assert client.post("/api/v1/workers", json={"id": "anna"}, headers=auth).status_code == 201
        finally:
            close_pool(app)
        with psycopg.connect(url) as conn:
            flags = conn.execute("SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles"
                                 " WHERE rolname = current_user").fetchone()
        assert flags == (False, False, False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_compose_takes_secrets_from_env_and_binds_to_loopback() -> None:
    text = (REPO / "compose.yaml").read_text()
    compose = yaml.safe_load(text)
    api, db = compose["services"]["api"], compose["services"]["db"]
    assert "ports" not in db
    assert [p.startswith("${BIND_ADDRESS:-127.0.0.1}:") for p in api["ports"]] == [True]
    url = api["environment"]["DATABASE_URL"]
    assert not url.startswith("postgresql://postgres") and "${APP_DB_PASSWORD:?" in url
    assert db["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert api["environment"]["SLOT_PLANNER_SECRET_KEY"].startswith("${SLOT_PLANNER_SECRET_KEY:?")
    required = set(re.findall(r"\$\{(\w+):\?", text))
    example = {line.split("=")[0] for line in (REPO / ".env.example").read_text().splitlines()
               if line and not line.startswith("#")}
    assert required <= example
    assert ".env" in (REPO / ".gitignore").read_text().splitlines()
