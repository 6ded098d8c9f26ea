// Prints, as a JSON array, the messages of the notifications VS Code shows in the page, read from its
// DOM through headless Chromium's DevTools protocol (needs Node 22+ for the global WebSocket).
//
// Usage: node notifications.mjs <chromium user-data-dir>/DevToolsActivePort
import { readFileSync } from 'node:fs';

const port = readFileSync(process.argv[2], 'utf8').split('\n')[0].trim();
const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
const page = targets.find((target) => target.type === 'page' && target.webSocketDebuggerUrl);
if (!page) {
  console.error(`notifications: no page among ${JSON.stringify(targets.map((target) => target.type))}`);
  process.exit(1);
}

// Toasts and the notification center (which the probe opens) render each message in this element.
const expression = `[...document.querySelectorAll('.notification-list-item-message')].map((element) => element.textContent)`;

const socket = new WebSocket(page.webSocketDebuggerUrl);
const timer = setTimeout(() => {
  console.error('notifications: no answer from Chromium within 10 s');
  process.exit(1);
}, 10000);
socket.addEventListener('open', () => {
  socket.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }));
});
socket.addEventListener('message', (event) => {
  const message = JSON.parse(event.data);
  if (message.id !== 1) {
    return;
  }
  clearTimeout(timer);
  socket.close();
  if (message.error || message.result.exceptionDetails) {
    console.error(`notifications: ${JSON.stringify(message.error ?? message.result.exceptionDetails)}`);
    process.exit(1);
  }
  // Deduplicated: a message can be both a toast and a row of the center.
  console.log(JSON.stringify([...new Set(message.result.result.value)]));
  process.exit(0);
});
socket.addEventListener('error', () => {
  console.error(`notifications: cannot connect to ${page.webSocketDebuggerUrl}`);
  process.exit(1);
});
