type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Every `#/components/<kind>/<name>` a JSON value refers to. */
function refsIn(value: Json, out: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/')) out.add(v);
      else refsIn(v, out);
    }
  }
}

/**
 * An OpenAPI document reduced to the given paths and the components they reach, transitively. The
 * operations and schemas are copied verbatim: the subset validates exactly as the full file does.
 */
export function subsetOpenApi(document: JsonObject, paths: readonly string[]): JsonObject {
  const allPaths = document.paths as JsonObject;
  const keptPaths: JsonObject = {};
  for (const path of paths) {
    const item = allPaths[path];
    if (item === undefined) throw new Error(`path ${path} is not in the contract`);
    keptPaths[path] = item;
  }
  const components = (document.components ?? {}) as Record<string, JsonObject>;
  const wanted = new Set<string>();
  refsIn(keptPaths, wanted);
  const done = new Set<string>();
  const keptComponents: Record<string, JsonObject> = {};
  while (wanted.size > 0) {
    const [ref] = wanted;
    if (ref === undefined) break;
    wanted.delete(ref);
    if (done.has(ref)) continue;
    done.add(ref);
    const [, , kind, name] = ref.split('/');
    if (!kind || !name) continue;
    const value = components[kind]?.[name];
    if (value === undefined) throw new Error(`dangling reference ${ref}`);
    keptComponents[kind] ??= {};
    (keptComponents[kind] as JsonObject)[name] = value;
    const next = new Set<string>();
    refsIn(value, next);
    for (const r of next) if (!done.has(r)) wanted.add(r);
  }
  if (components.securitySchemes) keptComponents.securitySchemes = components.securitySchemes;
  return {
    openapi: document.openapi ?? '3.0.1',
    info: document.info ?? {},
    servers: document.servers ?? [],
    paths: keptPaths,
    components: keptComponents,
  };
}
