/**
 * A notebook worker: one Python process (Jupyter's nbclient) holding one tslab kernel, which
 * executes notebooks one after another in that kernel and renders them to HTML. Starting a tslab
 * kernel, loading TypeScript's compiler, importing the library and its danfojs, and importing
 * nbconvert are paid once per worker instead of once per notebook (on this 2-core host about 5 s
 * once, then about 1 s per notebook, against 8-11 s per notebook with `jupyter nbconvert` each time).
 *
 * The notebooks a worker runs share the kernel's state, as cells of one session do: each notebook
 * declares what it uses (tslab lets a later cell redeclare a name), and the notebook tests run each
 * one in a worker of its own, so a notebook that leant on another's variables would fail there.
 *
 * Protocol: one JSON request per line on the worker's stdin, one reply per request on its stdout,
 * on a line of its own after REPLY_PREFIX (the kernel shares that stdout and may print to it);
 * the end of stdin stops the kernel and the worker. The kernel starts as soon as the worker does
 * (a failure to start is the first request's error), so a worker started early is warm when needed.
 */
import * as fs from 'node:fs';
import { execa, type ResultPromise } from 'execa';
import { AbortedError, GuestbenchError } from '../util/errors.js';

/** The Python with Jupyter: Debian's when installed, else the one on PATH; $GUESTBENCH_PYTHON overrides. */
export const PYTHON =
  process.env.GUESTBENCH_PYTHON ?? (fs.existsSync('/usr/bin/jupyter') ? '/usr/bin/python3' : 'python');

const REPLY_PREFIX = 'guestbench-worker-reply ';

/**
 * The worker. argv: the folder the kernel starts in (the notebooks' relative imports resolve there).
 * A failure inside the kernel (a dead kernel, a cell past its timeout) is answered as an error and
 * the kernel is replaced before the next notebook.
 */
const WORKER = String.raw`
import asyncio, json, sys, warnings
import nbformat
from nbclient import NotebookClient
from nbformat.sign import NotebookNotary
from nbconvert import HTMLExporter
from jupyter_client.manager import AsyncKernelManager

warnings.simplefilter("ignore")
folder = sys.argv[1]
PREFIX = "${REPLY_PREFIX}"

class Kernel:
    def __init__(self):
        self.manager = None
        self.client = None

    async def start(self):
        """Starts the kernel and waits until it answers (at the worker's start: it warms up meanwhile)."""
        if self.manager is not None:
            return
        manager = AsyncKernelManager(kernel_name="tslab")
        await manager.start_kernel(cwd=folder)
        self.manager = manager
        client = manager.client()
        client.start_channels()
        self.client = client
        await client.wait_for_ready(timeout=120)

    async def execute(self, notebook, timeout):
        await self.start()
        runner = NotebookClient(notebook, km=self.manager, timeout=timeout, allow_errors=True,
                                kernel_name="tslab", resources={"metadata": {"path": folder}})
        runner.kc = self.client
        try:
            await runner.async_execute()
        except BaseException:
            await self.stop()
            raise

    async def stop(self):
        if self.client is not None:
            self.client.stop_channels()
            self.client = None
        if self.manager is not None and self.manager.has_kernel:
            await self.manager.shutdown_kernel(now=True)
        self.manager = None

def render(notebook_path, html_path, name):
    notebook = nbformat.read(notebook_path, as_version=4)
    NotebookNotary().sign(notebook)
    body, _ = HTMLExporter().from_notebook_node(notebook, resources={"metadata": {"name": name}})
    with open(html_path, "w", encoding="utf-8") as out:
        out.write(body)

async def main():
    kernel = Kernel()
    loop = asyncio.get_running_loop()
    # the kernel starts while the worker waits for its first request; a failure is that request's
    warming = asyncio.ensure_future(kernel.start())
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            request = json.loads(line)
            try:
                if warming is not None:
                    started, warming = warming, None
                    try:
                        await started
                    except Exception:
                        await kernel.stop()
                        raise
                if request["op"] == "execute":
                    notebook = nbformat.read(request["input"], as_version=4)
                    await kernel.execute(notebook, request["timeout"])
                    nbformat.write(notebook, request["output"])
                else:
                    render(request["notebook"], request["html"], request["name"])
                reply = {"ok": True}
            except Exception as error:
                reply = {"ok": False, "error": (type(error).__name__ + ": " + str(error)).strip()}
            sys.stdout.write(PREFIX + json.dumps(reply) + "\n")
            sys.stdout.flush()
    finally:
        if warming is not None:
            warming.cancel()
        await kernel.stop()

asyncio.run(main())
`;

/** A request to the worker. */
type WorkerRequest =
  | { op: 'execute'; input: string; output: string; timeout: number }
  | { op: 'render'; notebook: string; html: string; name: string };

interface WorkerReply {
  ok: boolean;
  error?: string;
}

/** The worker's process could not do what it was asked (it exited, or nbclient failed). */
export class NotebookWorkerError extends GuestbenchError {}

/** Child pids of `pid`, from /proc (the kernel runs in a session of its own). */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // the command name (2nd field) may hold spaces and parentheses: the ppid follows the last ')'
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return children;
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

/** Options of a worker. */
export interface WorkerOptions {
  /** the folder the kernel starts in */
  cwd: string;
  /** environment of the worker and its kernel */
  env?: Record<string, string>;
}

/**
 * One worker process and its kernel, started on the first request. Requests are answered one at a
 * time, in order; `close()` ends it (the kernel is shut down), `kill()` stops it at once.
 */
export class NotebookWorker {
  private process: ResultPromise | undefined;
  private buffered = '';
  private readonly waiting: Array<{ resolve: (reply: WorkerReply) => void; reject: (error: Error) => void }> = [];
  private log = '';
  private exited: Error | undefined;

  constructor(private readonly options: WorkerOptions) {}

  /** False once its process has exited (killed, or failed): a pool then starts another. */
  get usable(): boolean {
    return this.exited === undefined;
  }

  private start(): ResultPromise {
    const child = execa(PYTHON, ['-c', WORKER, this.options.cwd], {
      cwd: this.options.cwd,
      env: { ...this.options.env },
      stdin: 'pipe',
      reject: false,
      buffer: false,
    });
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => this.onOutput(chunk));
    child.stderr?.setEncoding('utf8');
    // the last lines only: a failing worker's reason
    child.stderr?.on('data', (chunk: string) => (this.log = (this.log + chunk).slice(-4000)));
    void child.then((result) => {
      const tail = this.log.trim().split('\n').slice(-3).join(' / ');
      this.exited ??= new NotebookWorkerError(
        `The notebook worker (${PYTHON} with nbclient) exited (code ${String(result.exitCode ?? result.signal)})${tail ? `: ${tail}` : ''}`,
        { fix: "check that Jupyter's nbclient and the tslab kernel are installed (`bash scripts/setup.sh`)" },
      );
      for (const pending of this.waiting.splice(0)) pending.reject(this.exited);
    });
    return child;
  }

  private onOutput(chunk: string): void {
    this.buffered += chunk;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline);
      this.buffered = this.buffered.slice(newline + 1);
      if (!line.startsWith(REPLY_PREFIX)) continue;
      this.waiting.shift()?.resolve(JSON.parse(line.slice(REPLY_PREFIX.length)) as WorkerReply);
    }
  }

  private async request(request: WorkerRequest, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw new AbortedError('Notebook execution was interrupted');
    if (this.exited) throw this.exited;
    this.process ??= this.start();
    const reply = new Promise<WorkerReply>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.process.stdin?.write(JSON.stringify(request) + '\n');
    const onAbort = (): void => this.kill();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const answer = await reply;
      if (!answer.ok) throw new NotebookWorkerError(`nbclient failed: ${answer.error ?? 'no reason given'}`);
    } catch (error) {
      if (signal?.aborted) throw new AbortedError('Notebook execution was interrupted', { cause: error });
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Starts the worker and its kernel now, before the first request (they warm up meanwhile). */
  warm(): void {
    if (!this.exited) this.process ??= this.start();
  }

  /** Executes the notebook file `input` in the kernel and writes the executed notebook to `output`. */
  async execute(input: string, output: string, timeoutSec: number, signal?: AbortSignal): Promise<void> {
    await this.request({ op: 'execute', input, output, timeout: timeoutSec }, signal);
  }

  /** Signs `notebook` as trusted (it was just executed here) and renders it to `html`, as nbconvert does. */
  async render(notebook: string, html: string, name: string, signal?: AbortSignal): Promise<void> {
    await this.request({ op: 'render', notebook, html, name }, signal);
  }

  /** Stops the kernel and the worker once the requests sent have been answered. */
  async close(): Promise<void> {
    if (!this.process) return;
    this.process.stdin?.end();
    await this.process;
  }

  /**
   * Stops the worker now: SIGTERM to its kernel (in a session of its own, it would outlive the
   * worker; SIGKILL after 5 s if it is still there) and SIGKILL to the worker, which holds nothing
   * worth saving (nbclient would otherwise catch the signal and wait for the next request).
   */
  kill(): void {
    const child = this.process;
    this.exited ??= new AbortedError('The notebook worker was stopped');
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const kernels = child.pid === undefined ? [] : childPids(child.pid);
    signalAll(kernels, 'SIGTERM');
    child.kill('SIGKILL');
    const timer = setTimeout(() => signalAll(kernels, 'SIGKILL'), 5_000);
    timer.unref();
  }
}

/**
 * Workers handed out one per task (runPool keeps at most `size` tasks running, so at most `size`
 * workers start); `close()` ends them all.
 */
export class NotebookWorkerPool {
  private readonly idle: NotebookWorker[] = [];
  private readonly all: NotebookWorker[] = [];

  constructor(private readonly options: WorkerOptions) {}

  /** Starts `count` workers and their kernels now, so they are ready when the first notebooks come. */
  warm(count: number): void {
    while (this.all.length < count) {
      const worker = new NotebookWorker(this.options);
      worker.warm();
      this.all.push(worker);
      this.idle.push(worker);
    }
  }

  /** Runs `task` with an idle worker (a new one when none is idle). */
  async use<R>(task: (worker: NotebookWorker) => Promise<R>): Promise<R> {
    let worker = this.idle.pop();
    while (worker && !worker.usable) worker = this.idle.pop();
    if (!worker) {
      worker = new NotebookWorker(this.options);
      this.all.push(worker);
    }
    try {
      return await task(worker);
    } finally {
      this.idle.push(worker);
    }
  }

  /** Closes every worker (after their requests are answered). */
  async close(): Promise<void> {
    await Promise.all(this.all.map((worker) => worker.close()));
  }

  /** Stops every worker now. */
  kill(): void {
    for (const worker of this.all) worker.kill();
  }
}
