/**
 * What CloudFormation's CreateChangeSet works out for an update, before making it: per logical id,
 * `Add`, `Remove` or `Modify`; for a `Modify`, which attributes change (`Scope`), why (`Details`:
 * the template itself, a parameter, or a resource it refers to), whether each change recreates the
 * resource, and from that whether the resource is replaced (`Replacement`).
 *
 * Whether a property change recreates the resource comes from the resource providers' schemas
 * (`createOnlyProperties`: `Always`), else from the resource specification (`causesReplacement:
 * maybe`: `Conditionally`; `yes` for a type without a registry schema: `Always`), else `Never`.
 * A property that refers (`Ref`, `Fn::GetAtt`, `Fn::Sub`) to a resource being added or replaced
 * is known only during the update: a `Dynamic` change, which makes an `Always` property's
 * resource a `Conditional` replacement, as CloudFormation documents (the Replacement field of
 * ResourceChange, and its guide's "Example change sets").
 */
import { isDeepStrictEqual } from 'node:util';
import type {
  Change,
  ChangeSource,
  EvaluationType,
  Replacement,
  RequiresRecreation,
  ResourceAttribute,
  ResourceChangeDetail,
} from '@aws-sdk/client-cloudformation';
import { collectReferences, NO_VALUE, resolve } from './intrinsics';
import type { ResolveContext } from './intrinsics';
import type { Deployment, LiveResource } from './records';
import { createOnlyProperties } from './registry-schemas';
import type { ResourceSpec } from './spec';
import { isCustomType } from './template';
import type { Template } from './template';

/** CloudFormation's reason for a change set that would change nothing (status FAILED). */
export const NO_CHANGES_REASON =
  "The submitted information didn't contain changes. Submit different information to create a change set.";

export interface PlannedUpdate {
  deployed: Deployment;
  next: Pick<Deployment, 'template' | 'parameters'>;
  spec: ResourceSpec;
  /** Resolves values of the next template, its `Ref`/`Fn::GetAtt` answered from `resources`. */
  context(resources: Map<string, LiveResource>): ResolveContext;
}

/** Resource attributes besides properties whose change is a modification of their own. */
const OTHER_ATTRIBUTES = ['Metadata', 'DeletionPolicy', 'UpdateReplacePolicy'] as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function declarationOf(template: Template, logicalId: string): Record<string, unknown> {
  const resources = template.body.Resources;
  const declaration = isObject(resources) ? resources[logicalId] : undefined;
  return isObject(declaration) ? declaration : {};
}

function valueAt(value: unknown, path: string[]): unknown {
  return path.reduce<unknown>((current, key) => (isObject(current) ? current[key] : undefined), value);
}

/** Whether changing `name` from `before` to `after` recreates a resource of `type`. */
export function requiresRecreation(
  type: string,
  name: string,
  before: unknown,
  after: unknown,
  spec: ResourceSpec,
): RequiresRecreation {
  const createOnly = createOnlyProperties(type);
  for (const pointer of createOnly ?? []) {
    const [property, ...nested] = pointer.split('/').slice(2);
    if (property !== name) continue;
    // A nested pointer (ECR's /properties/EncryptionConfiguration/KmsKey) counts when that part changed.
    if (nested.length === 0 || nested.includes('*')) return 'Always';
    if (!isDeepStrictEqual(valueAt(before, nested), valueAt(after, nested))) return 'Always';
  }
  const replaces = spec.resource(type)?.properties[name]?.causesReplacement;
  if (replaces === 'maybe') return 'Conditionally';
  if (replaces === 'yes' && createOnly === undefined) return 'Always';
  return 'Never';
}

/** The most intrusive detail decides: Always (static) > Always (dynamic) = Conditionally > Never. */
function replacementOf(details: ResourceChangeDetail[]): Replacement {
  const rank = (detail: ResourceChangeDetail) => {
    const recreation = detail.Target?.RequiresRecreation;
    if (recreation === 'Always') return detail.Evaluation === 'Static' ? 2 : 1;
    return recreation === 'Conditionally' ? 1 : 0;
  };
  const highest = Math.max(0, ...details.map(rank));
  return highest === 2 ? 'True' : highest === 1 ? 'Conditional' : 'False';
}

const detail = (
  target: { attribute: ResourceAttribute; name?: string; recreation: RequiresRecreation },
  evaluation: EvaluationType,
  source: ChangeSource,
  causingEntity?: string,
): ResourceChangeDetail => ({
  Target: {
    Attribute: target.attribute,
    ...(target.name !== undefined ? { Name: target.name } : {}),
    RequiresRecreation: target.recreation,
  },
  Evaluation: evaluation,
  ChangeSource: source,
  ...(causingEntity !== undefined ? { CausingEntity: causingEntity } : {}),
});

/**
 * The changes of an update, in the next template's dependency order, removals last. Throws the
 * TemplateError of a value that cannot be resolved (CloudFormation fails the change set with it).
 */
export function planChanges(plan: PlannedUpdate): Change[] {
  const { deployed, next } = plan;
  /** Deployed resources that keep their physical resource: what `Ref`/`Fn::GetAtt` resolve to. */
  const known = new Map<string, LiveResource>();
  /** Added or (possibly) replaced: values that refer to them are known only during the update. */
  const renewed = new Set<string>();
  const ctx = plan.context(known);
  const changedParameters = new Set(
    Object.keys(next.parameters).filter((name) => next.parameters[name] !== deployed.parameters[name]),
  );
  const changes: Change[] = [];
  const kept = new Set<string>();

  for (const logicalId of next.template.order) {
    const declaration = next.template.resources[logicalId]!;
    if (declaration.condition !== undefined && !ctx.condition(declaration.condition)) continue;
    const current = deployed.resources.get(logicalId);
    if (!current || current.type !== declaration.type) {
      renewed.add(logicalId);
      changes.push({
        Type: 'Resource',
        ResourceChange: {
          Action: 'Add',
          LogicalResourceId: logicalId,
          ResourceType: declaration.type,
          Scope: [],
          Details: [],
        },
      });
      continue;
    }
    kept.add(logicalId);
    const details = [
      ...propertyDetails(plan, logicalId, current, { ctx, renewed, changedParameters }),
      ...OTHER_ATTRIBUTES.filter(
        (attribute) =>
          !isDeepStrictEqual(
            declarationOf(deployed.template, logicalId)[attribute],
            declarationOf(next.template, logicalId)[attribute],
          ),
      ).map((attribute) => detail({ attribute, recreation: 'Never' }, 'Static', 'DirectModification')),
    ];
    if (details.length === 0) {
      known.set(logicalId, current);
      continue;
    }
    const replacement = replacementOf(details);
    if (replacement === 'False') known.set(logicalId, current);
    else renewed.add(logicalId);
    changes.push({
      Type: 'Resource',
      ResourceChange: {
        Action: 'Modify',
        LogicalResourceId: logicalId,
        PhysicalResourceId: current.physicalId,
        ResourceType: current.type,
        Replacement: replacement,
        Scope: [...new Set(details.map((item) => item.Target!.Attribute!))],
        Details: details,
      },
    });
  }

  for (const [logicalId, resource] of deployed.resources) {
    if (kept.has(logicalId)) continue;
    changes.push({
      Type: 'Resource',
      ResourceChange: {
        Action: 'Remove',
        LogicalResourceId: logicalId,
        PhysicalResourceId: resource.physicalId,
        ResourceType: resource.type,
        Scope: [],
        Details: [],
      },
    });
  }
  return changes;
}

function propertyDetails(
  plan: PlannedUpdate,
  logicalId: string,
  current: LiveResource,
  state: { ctx: ResolveContext; renewed: Set<string>; changedParameters: Set<string> },
): ResourceChangeDetail[] {
  const { deployed, next, spec } = plan;
  const before = deployed.template.resources[logicalId]?.properties ?? {};
  const after = next.template.resources[logicalId]!.properties;
  const tagProperty = isCustomType(current.type)
    ? undefined
    : spec.resource(current.type)?.tagInformation?.tagPropertyName;
  const details: ResourceChangeDetail[] = [];

  for (const name of new Set([...Object.keys(current.properties), ...Object.keys(after)])) {
    const declared = { before: before[name], after: after[name] };
    const edited = !isDeepStrictEqual(declared.before, declared.after);
    const references = name in after ? collectReferences(after[name]) : [];
    const causes = references.filter(
      (reference) => reference.kind !== 'condition' && state.renewed.has(reference.target),
    );
    const target = (recreation: RequiresRecreation) => ({
      attribute: (name === tagProperty ? 'Tags' : 'Properties') as ResourceAttribute,
      ...(name === tagProperty ? {} : { name }),
      recreation,
    });

    if (causes.length > 0) {
      // Its value is known once what it refers to exists: CloudFormation cannot compare it now.
      const recreation = requiresRecreation(current.type, name, current.properties[name], undefined, spec);
      const entities = new Map<string, ChangeSource>();
      for (const cause of causes) {
        if (cause.kind === 'ref') entities.set(cause.target, 'ResourceReference');
        else if (cause.kind === 'getatt')
          entities.set(`${cause.target}.${cause.attribute ?? ''}`, 'ResourceAttribute');
      }
      if (edited) details.push(detail(target(recreation), 'Dynamic', 'DirectModification'));
      for (const [entity, source] of entities)
        details.push(detail(target(recreation), 'Dynamic', source, entity));
      continue;
    }

    const resolved = name in after ? resolve(after[name], state.ctx) : undefined;
    const value = resolved === NO_VALUE ? undefined : resolved;
    if (isDeepStrictEqual(value, current.properties[name])) continue;
    const recreation = requiresRecreation(current.type, name, current.properties[name], value, spec);
    if (edited) {
      details.push(detail(target(recreation), 'Static', 'DirectModification'));
      continue;
    }
    // The same declaration resolving differently: a parameter it names has a new value.
    const parameters = [
      ...new Set(
        references
          .filter((reference) => reference.kind === 'ref' && state.changedParameters.has(reference.target))
          .map((reference) => (reference as { target: string }).target),
      ),
    ];
    if (parameters.length === 0) {
      details.push(detail(target(recreation), 'Static', 'DirectModification'));
      continue;
    }
    details.push(detail(target(recreation), 'Dynamic', 'DirectModification'));
    for (const parameter of parameters)
      details.push(detail(target(recreation), 'Static', 'ParameterReference', parameter));
  }
  return details;
}
