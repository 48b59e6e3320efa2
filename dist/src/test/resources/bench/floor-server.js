// The loopback server of the floors in FiguresBenchmark: no npm dependencies.
//   GET  /echo   a WebSocket (RFC 6455) that echoes every text or binary message
//   POST /post   reads the body, answers 200 {"ok":true}; keep-alive
//   GET  /files/<name>  a file of the folder named on the command line, streamed
// Usage: node floor-server.js <folder>; prints "port <n>" once listening on 127.0.0.1.
'use strict';
const http = require('http');
const crypto = require('crypto');
const fs = require('fs');

const path = require('path');
const folder = process.argv[2];
const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/post') {
    req.on('data', () => {});
    req.on('end', () => {
      const body = '{"ok":true}';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  } else if (req.method === 'GET' && req.url.startsWith('/files/') && folder) {
    const file = path.join(folder, path.basename(req.url.substring('/files/'.length)));
    if (!fs.existsSync(file)) {
      res.writeHead(404, { 'content-length': 0 });
      res.end();
      return;
    }
    const size = fs.statSync(file).size;
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
    fs.createReadStream(file, { highWaterMark: 1 << 20 }).pipe(res);
  } else {
    res.writeHead(404, { 'content-length': 0 });
    res.end();
  }
});
server.keepAliveTimeout = 60000;

server.on('upgrade', (req, socket) => {
  const key = req.headers['sec-websocket-key'];
  if (req.url !== '/echo' || !key) {
    socket.destroy();
    return;
  }
  const accept = crypto.createHash('sha1').update(key + GUID).digest('base64');
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n' +
      'Connection: Upgrade\r\nSec-WebSocket-Accept: ' + accept + '\r\n\r\n');
  socket.setNoDelay(true);
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      if (buffer.length < 2) return;
      const opcode = buffer[0] & 0x0f;
      const masked = (buffer[1] & 0x80) !== 0;
      let length = buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (buffer.length < offset + length) return;
      const payload = Buffer.from(buffer.subarray(offset, offset + length));
      if (masked) {
        for (let i = 0; i < length; i++) payload[i] ^= buffer[maskOffset + (i & 3)];
      }
      const fin = buffer[0] & 0x80;
      buffer = buffer.subarray(offset + length);
      if (opcode === 0x8) { // close: answer it and end
        socket.end(frame(0x8, payload.subarray(0, 2), 0x80));
        return;
      }
      if (opcode === 0x9) { // ping
        socket.write(frame(0xa, payload, 0x80));
        continue;
      }
      if (opcode === 0xa) continue; // pong
      socket.write(frame(opcode, payload, fin)); // text, binary or continuation: echoed as sent
    }
  });
  socket.on('error', () => socket.destroy());
});

function frame(opcode, payload, fin) {
  const length = payload.length;
  let head;
  if (length < 126) {
    head = Buffer.from([fin | opcode, length]);
  } else if (length < 65536) {
    head = Buffer.alloc(4);
    head[0] = fin | opcode; head[1] = 126; head.writeUInt16BE(length, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = fin | opcode; head[1] = 127; head.writeBigUInt64BE(BigInt(length), 2);
  }
  return Buffer.concat([head, payload]);
}

server.listen(0, '127.0.0.1', () => {
  console.log('port ' + server.address().port);
});
