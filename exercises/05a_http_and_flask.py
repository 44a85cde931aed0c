"""Checks for the exercises of 05a_http_and_flask."""
import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from regression_course.exercises import exercise


def _head_and_body(raw: bytes):
    "(request line, headers with lower-case names, body) of a request, or a hint saying why it is not one"
    if b'\r\n\r\n' not in raw:
        if b'\n\n' in raw:
            return 'each line of an HTTP head ends with \\r\\n (carriage return, line feed), not \\n alone'
        return 'the head (request line and headers) must end with an empty line: \\r\\n\\r\\n, then the body'
    head, _, body = raw.partition(b'\r\n\r\n')
    try:
        lines = head.decode('ascii').split('\r\n')
    except UnicodeDecodeError:
        return 'the head must be plain ASCII text (only the body may hold other bytes)'
    headers = {}
    for line in lines[1:]:
        name, colon, value = line.partition(':')
        if not colon or not name or name != name.strip():
            return f'{line!r} is not a header: write one `Name: value` a line'
        headers[name.lower()] = value.strip()
    return lines[0], headers, body


@exercise('http.1', '05a_http_and_flask', 'a request by hand', needs='post_request')
def _post_request(post_request):
    for host, path, payload in (('127.0.0.1:5000', '/predict', {'x': 1.5}),
                                ('example.org', '/api/v1/predict', {'x': [0.5, 2.0, -3.25]}),
                                ('localhost:8000', '/feedback', {'id': 'a1b2', 'y': 12.5})):
        raw = post_request(host, path, payload)
        if isinstance(raw, str):
            return 'return bytes, not a str: a socket sends bytes (encode the text)'
        if not isinstance(raw, bytes):
            return f'return the request as bytes, not a {type(raw).__name__}'
        parsed = _head_and_body(raw)
        if isinstance(parsed, str):
            return parsed
        request_line, headers, body = parsed
        if request_line != f'POST {path} HTTP/1.1':
            return f'the request line should be "POST {path} HTTP/1.1" (method, path, version), not {request_line!r}'
        if headers.get('host') != host:
            return f'an HTTP/1.1 request must name the server it is for: a Host header, here "Host: {host}"'
        if headers.get('content-type', '').split(';')[0].strip() != 'application/json':
            return 'say what the body is: a Content-Type header, "Content-Type: application/json"'
        if 'content-length' not in headers:
            return 'say how long the body is: a Content-Length header, its size in bytes (the server reads that many)'
        if headers['content-length'] != str(len(body)):
            return (f'Content-Length says {headers["content-length"]}, but the body has {len(body)} bytes: '
                    'the server would read too little or wait for bytes that never come')
        try:
            sent = json.loads(body)
        except ValueError:
            return f'the body must be JSON (json.dumps), and {body[:40]!r} is not'
        if sent != payload:
            return f'the body should be the payload as JSON, {json.dumps(payload)}, not {body[:60]!r}'
    return None


class _Predictor(BaseHTTPRequestHandler):
    "A toy prediction API (y = 2x + 1) that answers every request with JSON and a status"
    def _answer(self, status, answer):
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        if status == 503:
            self.send_header('Retry-After', '5')
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self._answer(405, {'error': f'GET is not allowed on {self.path}: use POST'})

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length') or 0))
        if self.path != '/predict':
            return self._answer(404, {'error': f'no such endpoint {self.path}: try POST /predict'})
        if self.headers.get('Content-Type', '').split(';')[0].strip() != 'application/json':
            return self._answer(400, {'error': 'the Content-Type must be application/json'})
        try:
            x = json.loads(body)['x']
        except (ValueError, TypeError, KeyError):
            return self._answer(400, {'error': 'send JSON like {"x": 1.5}'})
        if x == 99:
            return self._answer(503, {'error': 'no model yet: try again later'})
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            return self._answer(400, {'error': f'x is {json.dumps(x)}: send a number'})
        self._answer(200, {'prediction': 2 * x + 1})

    def log_message(self, *args):  # quiet: the check speaks for it
        pass


@contextmanager
def _toy_server():
    "The toy API on a free port of 127.0.0.1, in a thread; its URL"
    server = ThreadingHTTPServer(('127.0.0.1', 0), _Predictor)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_address[1]}'
    finally:
        server.shutdown()
        server.server_close()


@exercise('http.2', '05a_http_and_flask', 'a client that reads every answer', needs='ask')
def _ask(ask):
    import urllib.error
    with _toy_server() as url:
        cases = ((f'{url}/predict', {'x': 1.5}, 200, {'prediction': 4.0}, 'a good request'),
                 (f'{url}/predict', {'x': 'ten'}, 400, None, 'x as a string'),
                 (f'{url}/predict', {'y': 1}, 400, None, 'a body without x'),
                 (f'{url}/predict', {'x': 99}, 503, None, 'x = 99 (the toy server has no model for it)'),
                 (f'{url}/nowhere', {'x': 1}, 404, None, 'a path with no endpoint'))
        for where, payload, status, expected, what in cases:
            try:
                got = ask(where, payload)
            except urllib.error.HTTPError as e:
                return (f'{what}: the server answered {e.code}, and your function let urllib\'s HTTPError out. '
                        'urllib raises it for every 4xx and 5xx; catch it: it is the response too '
                        '(e.code is the status, e.read() the body)')
            if not isinstance(got, tuple) or len(got) != 2:
                return f'return a pair (status, answer), not {got!r}'
            got_status, answer = got
            if got_status == 400 and status == 200:
                return ('a good request got 400: the toy server reads only bodies sent with '
                        '"Content-Type: application/json"; set that header')
            if got_status != status:
                return f'{what}: the server answered {status}, but you returned {got_status!r}'
            if isinstance(answer, (bytes, str)):
                return f'{what}: decode the answer\'s JSON (json.loads) rather than returning {type(answer).__name__}'
            if expected is not None and answer != expected:
                return f'{what}: the answer should be {expected}, not {answer!r}'
            if status >= 400 and not (isinstance(answer, dict) and isinstance(answer.get('error'), str)):
                return f'{what}: the answer to a {status} is JSON too, {{"error": "..."}}; return it decoded, not {answer!r}'
    return None


WRONG_ANSWERS = {
    'http.1': [
        '''import json
def post_request(host, path, payload):
    body = json.dumps(payload)
    return (f'POST {path} HTTP/1.1\\nHost: {host}\\nContent-Type: application/json\\n'
            f'Content-Length: {len(body)}\\n\\n{body}').encode()''',
        '''import json
def post_request(host, path, payload):
    body = json.dumps(payload)
    return (f'POST {path} HTTP/1.1\\r\\nContent-Type: application/json\\r\\n'
            f'Content-Length: {len(body)}\\r\\n\\r\\n{body}').encode()''',
        '''def post_request(host, path, payload):
    body = str(payload)
    return (f'POST {path} HTTP/1.1\\r\\nHost: {host}\\r\\nContent-Type: application/json\\r\\n'
            f'Content-Length: {len(body)}\\r\\n\\r\\n{body}').encode()''',
        '''import json
def post_request(host, path, payload):
    body = json.dumps(payload)
    return (f'POST {path} HTTP/1.1\\r\\nHost: {host}\\r\\nContent-Type: application/json\\r\\n'
            f'Content-Length: {len(payload)}\\r\\n\\r\\n{body}').encode()''',
        '''import json
def post_request(host, path, payload):
    body = json.dumps(payload)
    return (f'POST {path} HTTP/1.1\\r\\nHost: {host}\\r\\nContent-Type: application/json\\r\\n'
            f'Content-Length: {len(body)}\\r\\n\\r\\n{body}')''',
    ],
    'http.2': [
        '''import json
import urllib.request
def ask(url, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                     headers={'Content-Type': 'application/json'}, method='POST')
    with urllib.request.urlopen(request) as response:
        return response.status, json.loads(response.read())''',
        '''import json
import urllib.error
import urllib.request
def ask(url, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method='POST')
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())''',
        '''import json
import urllib.error
import urllib.request
def ask(url, payload):
    request = urllib.request.Request(url, data=json.dumps(payload).encode(),
                                     headers={'Content-Type': 'application/json'}, method='POST')
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, e.reason''',
    ],
}
