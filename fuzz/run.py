"""`make fuzz`: schemathesis against a freshly started Switchboard, every check, bounded.

Starts `switchboard serve` on 127.0.0.1 (an ephemeral port) with a temporary data directory and
the mock WhatsApp provider, signs in two admins and creates a few users, a business number and
conversations so that operations reach past their 404s, then runs schemathesis on the server's
own `/openapi.json` twice:

1. with admin A's token, on every operation except the two that can lock the caller out of its
   own account (`PATCH /api/v1/users/{id}` can demote or deactivate the caller or reset its
   password; `POST /api/v1/auth/password` changes it);
2. with admin B's token, on those two only. B may well demote or deactivate itself, or sign
   itself out, part-way through: the run only needs B's answers to match the spec, which they
   do whether B is still an admin (2xx, 4xx) or not (401, 403). A's token was obtained before, so
   nothing B does reaches run 1.

Logins the fuzzer sends use random usernames, so the per-username lockout (429) never touches
A or B; both tokens are obtained before any fuzzing starts. The server is stopped by its PID
whatever happens. The exit status is schemathesis's: non-zero on any failure or server error.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The operations that can lock their caller out, by operationId.
LOCKOUT_PRONE = {"PATCH /api/v1/users/{id}": "update_user", "POST /api/v1/auth/password": "change_password"}


def request(base: str, method: str, path: str, token: str | None = None, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return resp.status, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        raise SystemExit(f"fuzz: setup {method} {path} answered {e.code}: {text}") from None


def start_server(binary: Path, data_dir: Path, admin: str, password: str, log_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SWITCHBOARD_")}
    env.update(
        SWITCHBOARD_BIND="127.0.0.1:0",
        SWITCHBOARD_DATA_DIR=str(data_dir / "data"),
        SWITCHBOARD_ADMIN_USERNAME=admin,
        SWITCHBOARD_ADMIN_PASSWORD=password,
        SWITCHBOARD_WHATSAPP_PROVIDER="mock",
        SWITCHBOARD_WHATSAPP_VERIFY_TOKEN=secrets.token_hex(16),
        SWITCHBOARD_MOCK_STATUS_DELAYS_MS="0,0,0",
        SWITCHBOARD_ACCESS_TOKEN_TTL="3600",
        SWITCHBOARD_LOG="warn",
    )
    log = open(log_path, "w")
    # The data directory as working directory: no `.env` of the developer's is read, and no
    # built admin app is served (the spec covers the API).
    server = subprocess.Popen(
        [str(binary), "serve"],
        cwd=data_dir,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump():
        assert server.stdout is not None
        for line in server.stdout:
            lines.put(line)
            log.write(line)
            log.flush()

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"fuzz: the server exited with {server.returncode}; see {log_path}")
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        match = re.search(r"listening on (http://127\.0\.0\.1:\d+)", line)
        if match:
            return server, match.group(1)
    raise SystemExit(f"fuzz: the server did not start within 120 s; see {log_path}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def sign_in(base: str, username: str, password: str) -> str:
    _, reply = request(base, "POST", "/api/v1/auth/login", body={"username": username, "password": password})
    return reply["access_token"]


def seed(base: str, admin_token: str) -> str:
    """Admin B, an agent and a viewer, a business number with conversations; B's token."""
    users = {}
    for name, role in [("fuzz-admin-b", "admin"), ("fuzz-agent", "agent"), ("fuzz-viewer", "viewer")]:
        password = secrets.token_urlsafe(18)
        _, user = request(
            base, "POST", "/api/v1/users", admin_token, {"username": name, "password": password, "role": role}
        )
        users[name] = (user["id"], password)
    _, number = request(
        base,
        "POST",
        "/api/v1/business-numbers",
        admin_token,
        {"name": "Fuzz desk", "display_phone_number": "+15550100077", "phone_number_id": "900000000000077"},
    )
    for name in ("fuzz-agent", "fuzz-viewer"):
        request(base, "PUT", f"/api/v1/business-numbers/{number['id']}/members/{users[name][0]}", admin_token)
    for phone in ("+16505551234", "+16505559876"):
        request(
            base,
            "POST",
            "/api/v1/simulator/inbound",
            admin_token,
            {"business_number_id": number["id"], "from": phone, "name": "Fuzz customer", "text": "Hello"},
        )
    _, page = request(base, "GET", "/api/v1/conversations", admin_token)
    first = page["items"][0]["id"]
    request(base, "POST", f"/api/v1/conversations/{first}/messages", admin_token, {"type": "text", "text": {"body": "Hi"}})
    return sign_in(base, "fuzz-admin-b", users["fuzz-admin-b"][1])


def schemathesis(venv_bin: Path, work: Path, schema_url: str, token: str, args, only: bool) -> tuple[int, float]:
    """One run: every operation but the lockout-prone ones, or (`only`) just those.

    The Python 3.11 here has a thread-safety bug in its AST constructor that hypothesis can hit
    with several workers ("AST constructor recursion depth mismatch"), hence one worker by
    default; one worker also makes a seed reproduce a run.
    """
    command = [
        str(venv_bin / "schemathesis"),
        "--config-file",
        str(HERE / "schemathesis.toml"),
        "run",
        schema_url,
        "--checks",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        "--max-examples",
        str(args.max_examples),
        "--workers",
        str(args.workers),
        "--seed",
        str(args.seed),
        "--no-color",
    ]
    selector = "--include-operation-id" if only else "--exclude-operation-id"
    for operation_id in LOCKOUT_PRONE.values():
        command += [selector, operation_id]
    print("fuzz:", " ".join(c if "Bearer" not in c else "Authorization: Bearer ***" for c in command), flush=True)
    started = time.monotonic()
    # In the run's own directory: schemathesis keeps a cache of past crashes (`.schemathesis/`)
    # in its working directory and replays them first; each run starts from nothing.
    code = subprocess.call(command, cwd=work)
    return code, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bin", type=Path, required=True, help="the switchboard binary")
    parser.add_argument("--venv-bin", type=Path, required=True, help="the venv's bin directory")
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "40")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("FUZZ_WORKERS", "1")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "20261201")))
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="switchboard-fuzz-"))
    admin_password = secrets.token_urlsafe(18)
    log_path = work / "server.log"
    server = None
    passed = False
    # SIGTERM (CI's timeout, a parent's kill) and Ctrl-C take the same way out as an error: the
    # finally, which stops the server by its PID.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    try:
        server, base = start_server(args.bin.resolve(), work, "fuzz-admin", admin_password, log_path)
        print(f"fuzz: server pid {server.pid} at {base}; log {log_path}", flush=True)
        token_a = sign_in(base, "fuzz-admin", admin_password)
        token_b = seed(base, token_a)
        schema_url = base + "/openapi.json"
        code_a, time_a = schemathesis(args.venv_bin, work, schema_url, token_a, args, only=False)
        code_b, time_b = schemathesis(args.venv_bin, work, schema_url, token_b, args, only=True)
        print(
            f"fuzz: run 1 (admin A, all but the lockout-prone operations) exit {code_a} in {time_a:.0f} s; "
            f"run 2 (admin B, {', '.join(LOCKOUT_PRONE)}) exit {code_b} in {time_b:.0f} s; "
            f"total {time.monotonic() - started:.0f} s",
            flush=True,
        )
        if server.poll() is not None:
            print(f"fuzz: the server died during the run (exit {server.returncode}); see {log_path}")
            return 1
        if code_a == 0 and code_b == 0:
            passed = True
            return 0
        print(f"fuzz: failed; the server's log is {log_path}", flush=True)
        return 1
    finally:
        if server is not None:
            stop_server(server)
        if passed:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
