// Kills the redis-server processes of a parent that died without cleaning up.
// The parent writes "+pid" / "-pid" lines on our stdin; when stdin closes (the parent is gone,
// however it died), every pid still listed is killed. Plain JS so it runs without a loader.
const pids = new Set();
let pending = '';
process.on('SIGINT', () => {}); // a Ctrl-C aimed at the parent's group must not stop the cleanup
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const pid = Number(line.slice(1));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (line[0] === '+') pids.add(pid);
    else pids.delete(pid);
  }
});
process.stdin.on('close', () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(0);
});
