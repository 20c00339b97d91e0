// One cold start and one invocation, as Lambda's Node.js runtime does them, in a process of its own:
// the handler's file imported as an ES module from the task root (the working directory, nothing
// beside it), then the handler called with the event, a Lambda context and a callback. Plain
// JavaScript run by Node 22 itself, no loader: the artifact is judged as it deploys.
// Usage: node lambda-runtime.mjs <file> <export.path> <event JSON>; the outcome as JSON on fd 3.
import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [file, exportPath, eventJson] = process.argv.slice(2);
const report = (outcome) => writeSync(3, `${JSON.stringify(outcome)}\n`);
// The runtime reports a failure by the error's name (errorType) and message (errorMessage).
const failure = (phase, error) => ({
  phase,
  errorType: error?.name ?? typeof error,
  errorMessage: error?.message ?? String(error),
});

const started = performance.now();
const cpuBefore = process.cpuUsage();
let exports;
try {
  exports = await import(pathToFileURL(file).href);
} catch (error) {
  report(failure('init', error));
  process.exit(0);
}
const importMs = performance.now() - started;
// CPU time (all threads) of the import: what it costs with the machine to itself, whatever the load.
const cpu = process.cpuUsage(cpuBefore);
const importCpuMs = (cpu.user + cpu.system) / 1000;
const handler = exportPath.split('.').reduce((at, key) => at?.[key], exports);
if (typeof handler !== 'function') {
  report({
    phase: 'init',
    errorType: 'Runtime.HandlerNotFound',
    errorMessage: `${file} exports no ${exportPath}`,
  });
  process.exit(0);
}

const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
const deadline = Date.now() + Number(process.env.FUNCTION_TIMEOUT_MS);
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  awsRequestId: randomUUID(),
  logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
};
try {
  const result = await new Promise((resolve, reject) => {
    const callback = (error, value) => (error ? reject(error) : resolve(value));
    Promise.resolve(handler(JSON.parse(eventJson), context, callback)).then(resolve, reject);
  });
  report({ phase: 'invoke', importMs, importCpuMs, result });
} catch (error) {
  report({ ...failure('invoke', error), importMs, importCpuMs });
}
process.exit(0);
