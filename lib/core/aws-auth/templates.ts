/**
 * Username and group templates. The authenticator replaces these variables in `username` and in
 * each group of the matching entry; any other `{{…}}` is left as literal text.
 */

/** The variables the authenticator expands, exactly as it spells them (case-sensitive). */
export const TEMPLATE_VARIABLES = ['AccountID', 'SessionName', 'SessionNameRaw', 'AccessKeyID', 'EC2PrivateDNSName'] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** EC2 instance IDs, as the authenticator recognises a node's session name. */
export const EC2_INSTANCE_ID = /^i-(\w{8}|\w{17})$/;

const PLACEHOLDER = /\{\{(.*?)\}\}/g;

/** The `{{…}}` placeholders in `template` that the authenticator does not know. */
export function unknownTemplateVariables(template: string): string[] {
  const unknown: string[] = [];
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!(TEMPLATE_VARIABLES as readonly string[]).includes(match[1])) {
      unknown.push(match[0]);
    }
  }
  return unknown;
}

/** True when `template` uses `{{variable}}`. */
export function usesVariable(template: string, variable: TemplateVariable): boolean {
  return template.includes(`{{${variable}}}`);
}

/** The caller's side of a template expansion. */
export interface TemplateContext {
  readonly accountId: string;
  /** Role session name; empty for IAM users. */
  readonly sessionName: string;
  readonly accessKeyId: string;
  /** Private DNS name of the EC2 instance whose ID is the session name (nodes). */
  readonly ec2PrivateDnsName?: string;
}

/**
 * Expands a template the way the authenticator does. Returns undefined where the authenticator
 * fails (and denies the caller): `{{EC2PrivateDNSName}}` when the session name is not an instance
 * ID or its DNS name is unknown.
 */
export function expandTemplate(template: string, context: TemplateContext): string | undefined {
  let out = template;
  if (usesVariable(out, 'EC2PrivateDNSName')) {
    if (!EC2_INSTANCE_ID.test(context.sessionName) || context.ec2PrivateDnsName === undefined) {
      return undefined;
    }
    out = out.split('{{EC2PrivateDNSName}}').join(context.ec2PrivateDnsName);
  }
  out = out.split('{{AccountID}}').join(context.accountId);
  // SessionName has `@` replaced (federated e-mail addresses); SessionNameRaw keeps it.
  out = out.split('{{SessionName}}').join(context.sessionName.split('@').join('-'));
  out = out.split('{{SessionNameRaw}}').join(context.sessionName);
  out = out.split('{{AccessKeyID}}').join(context.accessKeyId);
  return out;
}
