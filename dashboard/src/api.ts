// The dashboard's calls to the gateway (/ui/api/). The key lives in an HttpOnly cookie set by the
// login call, so it never appears in a URL and scripts cannot read it.

export interface Viewer { role: 'operator' | 'user'; user?: string }

export interface FunctionRow {
  name: string; runtime: string; mode: string; version: string;
  state: string; error: string | null;
  instances: Record<string, number>; pending: number;
  rps: number; p50Ms: number | null; p99Ms: number | null;
  requests: number; coldStarts: number; errors: number;
}

export interface Sample {
  at: number; rps: number; errorsPerSecond: number; p50Ms: number | null; p99Ms: number | null;
  instances: Record<string, number>; pending: number; inflight: number;
  requests: number; errors: number; coldStarts: number;
}

export async function session(): Promise<Viewer | null> {
  const r = await fetch('/ui/api/session', { credentials: 'same-origin' });
  return r.ok ? r.json() : null;
}

export async function login(key: string): Promise<Viewer> {
  const r = await fetch('/ui/api/login', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ key }),
  });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ?? `refused (${r.status})`);
  return body;
}

export async function logout(): Promise<void> {
  await fetch('/ui/api/logout', { method: 'POST', credentials: 'same-origin' });
}

/** One live stream per page: a view each second, until the returned function closes it. */
export function stream<T>(path: string, onView: (view: T) => void, onState: (s: string) => void): () => void {
  const source = new EventSource('/ui/api/stream/' + path);
  source.addEventListener('view', (e) => { onState('live'); onView(JSON.parse((e as MessageEvent).data)); });
  source.onerror = () => onState('reconnecting…');
  return () => source.close();
}

export interface TryAnswer { status: number; headers: Record<string, string>; body: string; ms: number }

export async function tryIt(call: { function: string; method: string; path: string;
  headers: Record<string, string>; body: string }): Promise<TryAnswer> {
  const r = await fetch('/ui/api/try', {
    method: 'POST', credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(call),
  });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error ?? `failed (${r.status})`);
  return body;
}
