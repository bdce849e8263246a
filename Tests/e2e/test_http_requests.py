"""modeld through `requests`, the Python HTTP client most operators' scripts use."""

from __future__ import annotations

import requests


def test_session_reuses_one_connection_for_many_requests(modeld):
    with requests.Session() as session:
        for i in range(20):
            path = ("/livez", "/healthz", "/readyz")[i % 3]
            response = session.get(modeld.url(path), timeout=10)
            assert response.status_code == 200
            assert response.headers["Content-Type"].startswith("application/json")
            assert response.json()["status"] in ("ok", "ready")
        # urllib3 keeps one pooled connection per host; all 20 requests went over it.
        manager = session.get_adapter(modeld.url("/")).poolmanager
        pools = [manager.pools[key] for key in manager.pools.keys()]
        assert sum(pool.num_connections for pool in pools) == 1


def test_error_body_is_json_not_html(modeld):
    response = requests.post(modeld.url("/v1/nowhere"), json={"input": "hello"}, timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
