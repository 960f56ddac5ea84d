// RegexRouter, Filter and the predicates (TopicNameMatches, HasHeaderKey,
// RecordIsTombstone), with Kafka's class names and keys.
import { ConfigDef, ConfigException, type ConnectRecord, type Predicate, type Props, type Transformation } from '../../../plugins/sdk/index.ts';

/** Java's Matcher.replaceFirst on a whole-string match: $1, ${name} and \$ escapes. */
export function javaReplacement(m: RegExpExecArray, replacement: string): string {
  return replacement.replace(/\\(.)|\$(\d+)|\$\{(\w+)\}/g, (_x, esc, num, name) => {
    if (esc !== undefined) return esc;
    if (num !== undefined) return m[Number(num)] ?? '';
    return m.groups?.[name] ?? '';
  });
}

function compile(key: string, pattern: string): RegExp {
  try { return new RegExp(`^(?:${pattern})$`); } catch (e) { throw new ConfigException(key, `Invalid regex: ${(e as Error).message}`); }
}

export class RegexRouter implements Transformation {
  private re!: RegExp;
  private replacement = '';
  config() {
    return new ConfigDef()
      .define({ name: 'regex', type: 'STRING', documentation: 'Regular expression to use for matching.' })
      .define({ name: 'replacement', type: 'STRING', documentation: 'Replacement string.' });
  }
  configure(p: Props) { const c = this.config().parse(p); this.re = compile('regex', c.regex as string); this.replacement = c.replacement as string; }
  apply(r: ConnectRecord) {
    const m = this.re.exec(r.topic);
    return m ? { ...r, topic: javaReplacement(m, this.replacement) } : r;
  }
  close() {}
}

/** Drops every record (use it with a predicate: `transforms.x.predicate`). */
export class Filter implements Transformation {
  config() { return new ConfigDef(); }
  configure() {}
  apply() { return null; }
  close() {}
}

export class TopicNameMatches implements Predicate {
  private re!: RegExp;
  config() { return new ConfigDef().define({ name: 'pattern', type: 'STRING', documentation: 'A Java regular expression for matching against the name of a record\'s topic.' }); }
  configure(p: Props) { this.re = compile('pattern', this.config().parse(p).pattern as string); }
  test(r: ConnectRecord) { return this.re.test(r.topic); }
}

export class HasHeaderKey implements Predicate {
  private name = '';
  config() { return new ConfigDef().define({ name: 'name', type: 'STRING', documentation: 'The header name.' }); }
  configure(p: Props) { this.name = this.config().parse(p).name as string; }
  test(r: ConnectRecord) { return (r.headers ?? []).some((h) => h.key === this.name); }
}

export class RecordIsTombstone implements Predicate {
  config() { return new ConfigDef(); }
  configure() {}
  test(r: ConnectRecord) { return r.value === null || r.value === undefined; }
}
