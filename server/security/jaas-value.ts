// One `sasl.jaas.config` value as Kafka reads it:
//   org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="pw" user_alice="alice-pw";
export interface JaasEntry { loginModule: string; flag: string; options: Map<string, string> }

export class JaasValueError extends Error {}

export function parseJaasValue(setting: string, text: string): JaasEntry {
  const tokens = [...text.matchAll(/"((?:[^"\\]|\\.)*)"|([=;])|([^\s=;"]+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] ?? m[3]));
  const [loginModule, flag, ...rest] = tokens;
  if (!loginModule || !flag || !['required', 'requisite', 'sufficient', 'optional'].includes(flag.toLowerCase())) {
    throw new JaasValueError(`${setting}: expected "LoginModuleClass required key=\\"value\\" ...;"`);
  }
  const options = new Map<string, string>();
  for (let i = 0; i < rest.length;) {
    if (rest[i] === ';') break;
    if (rest[i + 1] !== '=' || rest[i + 2] === undefined) throw new JaasValueError(`${setting}: expected key="value" at ${JSON.stringify(rest[i])}`);
    options.set(rest[i], rest[i + 2]);
    i += 3;
  }
  return { loginModule, flag: flag.toLowerCase(), options };
}
