/** Polls until `check` holds; fails naming what it waited for. Behaviour, not timing: the limit is generous. */
export async function waitFor(check: () => boolean, what = 'a condition', timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
