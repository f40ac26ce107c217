/**
 * Owner records on the cluster (see `lib/core/owner-record.ts`): one ConfigMap per owner in
 * `kube-system`, labelled with the owner ID. Each owner writes only its own record; every owner
 * reads all of them (under the cluster lease) to know what the others want.
 */
import { collectionPath, KubeObject, KubernetesApi, kubeReason, kubeStatus, objectPath } from './kubernetes-api';
import { formatOwnerRecord, OWNER_RECORD_KEY, OWNER_RECORD_LABEL, OWNER_RECORD_NAMESPACE, OwnerRecord, ownerRecordName, parseOwnerRecord } from '../core/owner-record';

/** Every owner's record on the cluster, by owner ID. */
export async function readOwnerRecords(kube: KubernetesApi): Promise<Map<string, OwnerRecord>> {
  const items = await kube.list(collectionPath('ConfigMap', OWNER_RECORD_NAMESPACE), OWNER_RECORD_LABEL);
  const records = new Map<string, OwnerRecord>();
  for (const item of items) {
    const where = `${OWNER_RECORD_NAMESPACE}/${item.metadata.name}`;
    const record = parseOwnerRecord((item.data as Record<string, string> | undefined)?.[OWNER_RECORD_KEY], where);
    if (record.ownerId !== item.metadata.labels?.[OWNER_RECORD_LABEL]) {
      throw new Error(`owner record ${where} names owner "${record.ownerId}" but is labelled for "${item.metadata.labels?.[OWNER_RECORD_LABEL]}"; fix or delete it by hand, then re-run the deployment`);
    }
    records.set(record.ownerId, record);
  }
  return records;
}

/** Writes this owner's record (creating it when absent). */
export async function writeOwnerRecord(kube: KubernetesApi, record: OwnerRecord): Promise<void> {
  const object = recordObject(record);
  const path = objectPath('ConfigMap', object.metadata.name, OWNER_RECORD_NAMESPACE);
  try {
    await kube.replace(path, object);
  } catch (error) {
    if (kubeStatus(error) !== 404) {
      throw error;
    }
    try {
      await kube.create(collectionPath('ConfigMap', OWNER_RECORD_NAMESPACE), object);
    } catch (createError) {
      if (kubeStatus(createError) === 409 && kubeReason(createError) === 'AlreadyExists') {
        await kube.replace(path, object); // created by a retry of ours a moment ago
        return;
      }
      throw createError;
    }
  }
}

/** Deletes this owner's record; false when there was none. */
export async function deleteOwnerRecord(kube: KubernetesApi, ownerId: string): Promise<boolean> {
  return kube.delete(objectPath('ConfigMap', ownerRecordName(ownerId), OWNER_RECORD_NAMESPACE));
}

function recordObject(record: OwnerRecord): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: ownerRecordName(record.ownerId),
      namespace: OWNER_RECORD_NAMESPACE,
      labels: { [OWNER_RECORD_LABEL]: record.ownerId },
      annotations: { [`${OWNER_RECORD_LABEL}-description`]: 'What this owner (a cdk-eks-access custom resource) wants from the cluster\'s access entries. Deleted with the owner; do not edit.' },
    },
    data: { [OWNER_RECORD_KEY]: formatOwnerRecord(record) },
  };
}
