// Helpers over the contract's imports (wit/control.wit), for plugins built with
// `jco componentize`. Written by `securebase plugin new`; yours to edit. Inventory items
// come with their configuration parsed and their tags as an object; `Findings` builds
// one check's findings; `plugin` makes the exported `control` interface.
import { items as rawItems, accountId as rawAccountId, capturedAt as rawCapturedAt } from 'securebase:control/inventory@{{version}}';
import { log as rawLog } from 'securebase:control/log@{{version}}';

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** Every item of one resource type, e.g. "AWS::S3::Bucket", in a stable order. */
export function items(resourceType) {
  return rawItems(resourceType).map((i) => ({
    resourceType: i.resourceType,
    resourceId: i.resourceId,
    name: i.resourceName ?? i.resourceId,
    region: i.awsRegion,
    arn: i.arn ?? null,
    configuration: parse(i.configuration),
    supplementary: parse(i.supplementaryConfiguration),
    tags: Object.fromEntries(i.tags),
  }));
}

export const accountId = () => rawAccountId();
/** When the inventory was captured (RFC 3339): measure ages against this, never Date.now(). */
export const capturedAt = () => rawCapturedAt();
/** level: debug, info, warn or error. The host keeps a bounded amount per call. */
export const log = (level, message) => rawLog(level, String(message));

/** A check's metadata. severity: info, low, medium, high or critical;
 *  references: [kind, value] pairs, kind one of aws-config-rule, prowler, cis, url. */
export function check({ id, title, severity, resourceTypes, rationale, remediation, references = [] }) {
  return { id, title, severity, resourceTypes, rationale, remediation, references: references.map(([kind, value]) => ({ kind, value })) };
}

/** The findings of one check: one per resource it looks at. */
export class Findings {
  constructor(checkId) {
    this.checkId = checkId;
    this.findings = [];
  }
  add(item, status, message) {
    this.findings.push({ checkId: this.checkId, resourceType: item.resourceType, resourceId: item.resourceId, status, message });
  }
  pass(item, message) { this.add(item, 'pass', message); }
  fail(item, message) { this.add(item, 'fail', message); }
  notApplicable(item, message) { this.add(item, 'not-applicable', message); }
  error(item, message) { this.add(item, 'error', message); }
  verdict(item, ok, ifOk, ifNot) { ok ? this.pass(item, ifOk) : this.fail(item, ifNot); }
}

/** The exported `control` interface over [metadata, function] pairs. A thrown error
 *  becomes this account's plugin error (a thrown string is the contract's `err`). */
export function plugin(name, version, checks) {
  return {
    metadata() {
      return { name, version, checks: checks.map(([meta]) => meta) };
    },
    evaluate() {
      try {
        const out = [];
        for (const [meta, run] of checks) {
          const findings = new Findings(meta.id);
          run(findings);
          out.push(...findings.findings);
        }
        return out;
      } catch (e) {
        throw String(e && e.stack ? `${e}\n${e.stack}` : e);
      }
    },
  };
}
