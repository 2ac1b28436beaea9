"""A careless kubelet for bench/probe.sh: anonymous auth with AlwaysAllow on 10250 (HTTPS,
a throwaway self-signed certificate) and the read-only port on 10255, answering /pods,
/runningpods/, /configz, /metrics and /healthz as a real kubelet does for anyone.

    python3 bench/standin_kubelet.py CERT KEY [HOST]
"""
import http.server
import json
import ssl
import sys
import threading

PODS = json.dumps({"kind": "PodList", "apiVersion": "v1", "items": [
    {"metadata": {"name": "web", "namespace": "shop"}, "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}},
    {"metadata": {"name": "db", "namespace": "shop"}, "spec": {"containers": [{"name": "db", "image": "postgres:16"}]}},
]})
ROUTES = {
    "/pods": PODS,
    "/runningpods/": PODS,
    "/configz": json.dumps({"kubeletconfig": {"authentication": {"anonymous": {"enabled": True}}, "authorization": {"mode": "AlwaysAllow"}}}),
    "/metrics": "kubelet_running_pods 2\n",
    "/healthz": "ok",
}


class Kubelet(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        body = ROUTES.get(path)
        self.send_response(200 if body is not None else 404)
        body = (body if body is not None else "404 page not found\n").encode()
        self.send_header("Content-Type", "application/json" if body.startswith(b"{") else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    cert, key = sys.argv[1], sys.argv[2]
    host = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
    secure = http.server.ThreadingHTTPServer((host, 10250), Kubelet)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    secure.socket = context.wrap_socket(secure.socket, server_side=True)
    read_only = http.server.ThreadingHTTPServer((host, 10255), Kubelet)
    threading.Thread(target=read_only.serve_forever, daemon=True).start()
    print("ready", flush=True)
    secure.serve_forever()


if __name__ == "__main__":
    main()
