/**
 * Load a page in real headless Chromium (Debian's `chromium`) and report what a user would see:
 * console messages and uncaught exceptions (over the DevTools protocol, from Deno's WebSocket),
 * the result of a JavaScript expression, and a PNG screenshot.
 * @module
 */

/** What {@link loadInChromium} saw. */
export interface PageVisit {
  /** console.* calls, log entries (errors loading resources, CSP) and uncaught exceptions. */
  messages: { level: string; text: string }[];
  /** The value of `evaluate` after the load event. */
  value: unknown;
  /** A PNG screenshot of the full page. */
  screenshot: Uint8Array;
}

/** The Chromium binary, or undefined when it is not installed. */
export function chromiumPath(): string | undefined {
  for (const path of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* next */ }
  }
  return undefined;
}

/** Open `url` in a fresh headless Chromium profile, wait for `load`, evaluate, screenshot, close. */
export async function loadInChromium(url: string, evaluate: string, timeoutMs = 60_000): Promise<PageVisit> {
  const binary = chromiumPath();
  if (binary === undefined) throw new Error("chromium is not installed (apt-get install chromium)");
  const profile = await Deno.makeTempDir({ prefix: "setsim-chromium-" });
  const child = new Deno.Command(binary, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
      "--remote-debugging-port=0",
      "--window-size=1200,900",
      "about:blank",
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, timeoutMs);
  try {
    // Chromium prints "DevTools listening on ws://…" on stderr.
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let endpoint: string | undefined;
    while (endpoint === undefined) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`chromium exited before DevTools was ready:\n${buffer}`);
      buffer += value;
      endpoint = buffer.match(/DevTools listening on (ws:\/\/\S+)/)?.[1];
    }
    // Keep draining stderr so Chromium never blocks on a full pipe.
    (async () => {
      while (!(await reader.read()).done) { /* discard */ }
    })().catch(() => {});
    return await visit(endpoint, url, evaluate);
  } finally {
    clearTimeout(timer);
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await child.status;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
}

async function visit(endpoint: string, url: string, evaluate: string): Promise<PageVisit> {
  const ws = new WebSocket(endpoint);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`cannot connect to ${endpoint}`));
  });
  let nextId = 1;
  const waiting = new Map<
    number,
    { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }
  >();
  const listeners: ((method: string, params: Record<string, unknown>) => void)[] = [];
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data as string);
    if (message.id !== undefined) {
      const w = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) w?.reject(new Error(`${message.error.message} (${message.error.code})`));
      else w?.resolve(message.result);
    } else for (const l of listeners) l(message.method, message.params ?? {});
  };
  const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  try {
    const { targetId } = await send("Target.createTarget", { url: "about:blank" }) as { targetId: string };
    const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true }) as {
      sessionId: string;
    };
    const messages: PageVisit["messages"] = [];
    let loaded: () => void = () => {};
    const load = new Promise<void>((resolve) => loaded = resolve);
    listeners.push((method, params) => {
      if (method === "Runtime.consoleAPICalled") {
        const args = (params.args as { value?: unknown; description?: string }[]) ?? [];
        messages.push({
          level: String(params.type),
          text: args.map((a) => a.value ?? a.description).join(" "),
        });
      } else if (method === "Runtime.exceptionThrown") {
        const details = params.exceptionDetails as { text: string; exception?: { description?: string } };
        messages.push({ level: "exception", text: details.exception?.description ?? details.text });
      } else if (method === "Log.entryAdded") {
        const entry = params.entry as { level: string; text: string; url?: string };
        messages.push({ level: entry.level, text: `${entry.text}${entry.url ? ` (${entry.url})` : ""}` });
      } else if (method === "Page.loadEventFired") loaded();
    });
    await send("Page.enable", {}, sessionId);
    await send("Runtime.enable", {}, sessionId);
    await send("Log.enable", {}, sessionId);
    await send("Page.navigate", { url }, sessionId);
    await load;
    const evaluated = await send(
      "Runtime.evaluate",
      { expression: evaluate, returnByValue: true },
      sessionId,
    ) as {
      result: { value?: unknown };
    };
    const shot = await send(
      "Page.captureScreenshot",
      { format: "png", captureBeyondViewport: true },
      sessionId,
    ) as {
      data: string;
    };
    const screenshot = Uint8Array.from(atob(shot.data), (c) => c.charCodeAt(0));
    return { messages, value: evaluated.result.value, screenshot };
  } finally {
    ws.close();
  }
}
