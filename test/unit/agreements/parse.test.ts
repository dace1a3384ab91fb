import { describe, expect, it } from "vitest";
import { compileBody } from "../../../domain/agreements/compile.ts";
import { parseDocuments } from "../../../domain/agreements/parse.ts";

const ctx = { cluster: "c1" };

describe("agreement bodies", () => {
  it("reads multi-document YAML with merge keys, skipping empty documents", () => {
    const r = parseDocuments("x-base: &b\n  a: 1\nsvc:\n  <<: *b\n  c: 2\n---\nname: two\n---\n");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.docs.map((d) => d.value)).toEqual([{ "x-base": { a: 1 }, svc: { a: 1, c: 2 } }, { name: "two" }]);
    expect(r.docs[0].locate(["svc", "c"])).toEqual({ line: 5, column: 3 });
  });

  it("reports a YAML syntax error with line and column", () => {
    const r = parseDocuments("name: a\nimage: [unclosed\nreplicas: 2\n");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0].line).toBeGreaterThanOrEqual(2);
    expect(r.issues[0].column).toBeGreaterThanOrEqual(1);
  });

  it("refuses duplicate keys and alias bombs", () => {
    expect(parseDocuments("a: 1\na: 2\n").ok).toBe(false);
    const bomb = ["a: &a [x,x,x,x,x,x,x,x,x,x]"];
    for (let i = 0; i < 8; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill("*" + String.fromCharCode(97 + i)).join(",")}]`);
    const r = parseDocuments(bomb.join("\n") + "\n");
    expect(r.ok).toBe(false);
  });

  it("locates dotted keys (compose labels) greedily", () => {
    const r = parseDocuments("services:\n  web:\n    labels:\n      com.example.tier: front\n");
    if (!r.ok) throw new Error("parse");
    expect(r.docs[0].locate(["services", "web", "labels", "com", "example", "tier"])).toEqual({ line: 4, column: 7 });
  });
});

describe("DockLock (native WorkloadSpec)", () => {
  it("compiles JSON and YAML to the same workload", () => {
    const json = compileBody(JSON.stringify({ name: "dl", image: "oci:/tmp/x:latest", replicas: 2, env: { A: "1" } }), ctx);
    const yaml = compileBody("name: dl\nimage: oci:/tmp/x:latest\nreplicas: 2\nenv:\n  A: '1'\n", ctx);
    expect(json.ok && yaml.ok).toBe(true);
    if (!json.ok || !yaml.ok) return;
    expect(json.units[0].agreement).toEqual(yaml.units[0].agreement);
    expect(json.units[0].agreement.workloads[0]).toMatchObject({ name: "dl", replicas: 2, env: { A: "1" } });
  });

  it("refuses an unknown field by its path, with line and column", () => {
    const r = compileBody("name: dl\nimage: oci:/tmp/x:latest\ncage:\n  privileged: true\n", ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]).toMatchObject({ path: "cage.privileged", line: 4, column: 3, document: 0 });
  });

  it("refuses a document no format recognises", () => {
    const r = compileBody("hello: world\n", ctx);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]).toMatchObject({ line: 1, column: 1 });
    expect(r.issues[0].message).toMatch(/not an agreement/);
  });
});
