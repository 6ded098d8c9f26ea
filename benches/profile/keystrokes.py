#!/usr/bin/env python3
"""Usage: keystrokes.py SERVER TEMPLATE EDITS LINES [WRAPPER...]
Open a template in the server over stdio, type N one-character edits (type, delete
alternately) after the (lines/16)-th '; tolerated', waiting for each publishDiagnostics."""
import json, re, subprocess, sys
binary, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = int(sys.argv[4])
text = open(path, encoding='utf-8').read()
cmd = sys.argv[5:] + [binary, 'lsp'] if len(sys.argv) > 5 else [binary, 'lsp']
p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
def send(msg):
    b = json.dumps(msg).encode()
    p.stdin.write(b'Content-Length: %d\r\n\r\n' % len(b) + b); p.stdin.flush()
def recv():
    length = None
    while True:
        line = p.stdout.readline()
        if line in (b'\r\n', b''): break
        if line.lower().startswith(b'content-length:'): length = int(line.split(b':')[1])
    return json.loads(p.stdout.read(length))
def wait(pred):
    while True:
        m = recv()
        if 'id' in m and 'method' in m:  # server request
            send({'jsonrpc': '2.0', 'id': m['id'], 'result': None}); continue
        if pred(m): return m
send({'jsonrpc':'2.0','id':1,'method':'initialize','params':{'processId':None,'rootUri':None,
  'capabilities':{'general':{'positionEncodings':['utf-16']}},'initializationOptions':{'debounceMs':0}}})
wait(lambda m: m.get('id') == 1)
send({'jsonrpc':'2.0','method':'initialized','params':{}})
uri = 'file:///bench/latency.note'
send({'jsonrpc':'2.0','method':'textDocument/didOpen','params':{'textDocument':{'uri':uri,'languageId':'note','version':1,'text':text}}})
def diag(v): return wait(lambda m: m.get('method') == 'textDocument/publishDiagnostics' and m['params'].get('version') == v)
d = diag(1)
hits = [m.end() for m in re.finditer('; tolerated', text)]
if len(hits) > lines // 16:
    at = hits[lines // 16]
else:  # the end of the first content line (not a heading, not blank) from the middle on
    all_lines = text.splitlines(True)
    k = lines // 2
    while all_lines[k].startswith('#') or not all_lines[k].strip():
        k += 1
    at = sum(len(l) for l in all_lines[:k + 1]) - len(all_lines[k]) + len(all_lines[k].rstrip('\r\n'))
before = text[:at]
line = before.count('\n'); col = len((before.rsplit('\n', 1)[-1]).encode('utf-16-le')) // 2
v = 1
for k in range(n):
    v += 1
    if k % 2 == 0:
        ch = {'range':{'start':{'line':line,'character':col},'end':{'line':line,'character':col}},'text':'x'}
    else:
        ch = {'range':{'start':{'line':line,'character':col},'end':{'line':line,'character':col+1}},'text':''}
    send({'jsonrpc':'2.0','method':'textDocument/didChange','params':{'textDocument':{'uri':uri,'version':v},'contentChanges':[ch]}})
    diag(v)
send({'jsonrpc':'2.0','id':2,'method':'shutdown','params':None}); wait(lambda m: m.get('id') == 2)
send({'jsonrpc':'2.0','method':'exit','params':None}); p.wait()
print('findings at open:', len(d['params']['diagnostics']))
