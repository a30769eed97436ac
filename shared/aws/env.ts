/** Reads a required environment variable, naming it when absent (env holds identifiers, never secrets). */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Environment variable ${name} is not set`);
  }
  return value;
}
