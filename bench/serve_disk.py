"""server.py's application on the on-disk store (graph.diskstore), served by waitress.

    python bench/serve_disk.py BUILD_DIR PORT [--workers N]

How the benchmark times a server start on an already built graph with the persistent store:
what ``server.py --store disk`` serves, with the benchmark's settings. Listens on 127.0.0.1
only; no rate limit, no row cap, like the benchmark's server.py.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main() -> int:
    import waitress

    from graph.diskstore import DiskStore
    from server import create_app

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build_dir")
    parser.add_argument("port", type=int)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    settings = {"build_dir": args.build_dir, "rate_limit": 0, "max_rows": 10**9, "query_timeout": 600.0,
                "max_body_bytes": 10**7, "workers": args.workers, "worker_memory_mb": 0}
    store = DiskStore.open(args.build_dir, workers=args.workers)
    app = create_app(settings, store=store)
    server = waitress.create_server(app, host="127.0.0.1", port=args.port, threads=8, ident="aenc")
    print(f"aenc (disk): serving {args.build_dir} on http://127.0.0.1:{server.effective_port}/", flush=True)
    try:
        server.run()
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
