// Validates Kubernetes objects (a JSON array on stdin) against the
// Kubernetes OpenAPI schemas as kubernetes-models compiles them: required
// fields, types, enums and formats. Prints one line per invalid object,
// "KIND NAME: what", and exits 1 if any is invalid.
//
// kubernetes-models accepts keys the schema does not know (the schemas do
// not forbid additional properties), so a misspelt field passes here;
// //tests/deploy:k8s_test checks the fields the archive relies on by name.
import { readFileSync } from "node:fs";

const objects = JSON.parse(readFileSync(0, "utf8"));
let invalid = 0;
for (const object of objects) {
  const [group, version] = object.apiVersion.includes("/")
    ? object.apiVersion.split("/")
    : ["", object.apiVersion];
  const module = `kubernetes-models/${group ? `${group}/` : ""}${version}/${object.kind}`;
  const name = `${object.kind} ${object.metadata?.name ?? "?"}`;
  let Model;
  try {
    Model = (await import(module))[object.kind];
  } catch (error) {
    console.log(`${name}: no schema for ${object.apiVersion} ${object.kind}`);
    invalid++;
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    console.log(`${name}: ${error.message}`);
    invalid++;
  }
}
console.log(`${objects.length - invalid} of ${objects.length} objects valid`);
process.exit(invalid === 0 ? 0 : 1);
