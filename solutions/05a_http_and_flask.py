# exercise http.1
import json

def post_request(host:str, path:str, payload) -> bytes:
    "The bytes of an HTTP/1.1 request that POSTs `payload` as JSON to `path` on `host`"
    body = json.dumps(payload).encode()  # bytes first: Content-Length counts bytes, not characters
    head = (f'POST {path} HTTP/1.1\r\n'
            f'Host: {host}\r\n'
            'Content-Type: application/json\r\n'
            f'Content-Length: {len(body)}\r\n'
            '\r\n')
    return head.encode('ascii') + body

# exercise http.2
import json
import urllib.error
import urllib.request

def ask(url:str, payload) -> tuple[int, object]:
    "POST `payload` as JSON to `url`; the status and the decoded JSON answer, whatever the status"
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method='POST',
                                     headers={'Content-Type': 'application/json'})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:  # a 4xx or 5xx: urllib raises, but it is an answer like any other
        with e:
            return e.code, json.loads(e.read())
