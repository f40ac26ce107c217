/** Help texts: `eks-access --help` and `--help` on every command. */

export const MAIN_HELP = `eks-access: inspect and edit the aws-auth ConfigMap of Amazon EKS clusters.

Usage:
  eks-access mapping get     SOURCE [--arn ARN] [-o table|json|yaml]
  eks-access mapping create  SOURCE (--arn ARN [--username U] [--group G]... [--no-duplicate-arns]
                                     | --account ID
                                     | --service-name emr-containers --namespace NS [--cluster-account ID])
  eks-access mapping delete  SOURCE (--arn ARN [--all] | --account ID)
  eks-access lint            SOURCE [-o text|json]

SOURCE is one of:
  --file CM.yaml    the ConfigMap as kubectl prints it (YAML or JSON), or just its data; "-" reads
                    standard input. A file that does not exist stands for a cluster without aws-auth.
                    create and delete print the result, or replace the file with --in-place.
  --cluster NAME    the live aws-auth of an EKS cluster, with your AWS credentials;
                    create and delete write it (re-reading and re-applying the edit when someone
                    else changed it meanwhile; nothing is written when nothing changes).
      --region R        the cluster's region (default: AWS_REGION, then AWS_DEFAULT_REGION)
      --profile P       a named profile of your AWS config instead of the default credentials
      --role-arn ARN    a role to assume for the Kubernetes API (as aws eks update-kubeconfig --role-arn)
      --verbose         print every API call to standard error

Exit codes: 0 success, 1 error (or lint found errors), 2 usage error.
Run "eks-access <command> --help" for a command's flags.
`;

export const MAPPING_HELP = `Usage: eks-access mapping (get|create|delete) (--file CM.yaml | --cluster NAME) [flags]

  get      list the mappings (like eksctl get iamidentitymapping)
  create   add a role, user, account or service mapping (like eksctl create iamidentitymapping)
  delete   remove a mapping or account (like eksctl delete iamidentitymapping)
`;

/** Flags of live mode, shown in every command's help. */
const CLUSTER_FLAGS = `  --cluster NAME     instead of --file: the live aws-auth of this EKS cluster
  --region R         its region (default: AWS_REGION, then AWS_DEFAULT_REGION)
  --profile P        use this profile of your AWS config for credentials
  --role-arn ARN     assume this role for the Kubernetes API
  --verbose          print every API call to standard error
`;

export const GET_HELP = `Usage: eks-access mapping get (--file CM.yaml | --cluster NAME) [--arn ARN] [-o table|json|yaml]

Lists the role mappings, then the user mappings, then the accounts.

  --file PATH        the ConfigMap (YAML or JSON); "-" for standard input
  --arn ARN          only the mappings of this ARN; an assumed-role session ARN
                     (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) or a role ARN with a path shows
                     the mapping the authenticator would use for it
  -o, --output FMT   table (default), json or yaml
${CLUSTER_FLAGS}`;

export const CREATE_HELP = `Usage: eks-access mapping create (--file CM.yaml | --cluster NAME) [flags]

Give exactly one of --arn, --account, --service-name.

  --file PATH            the ConfigMap; "-" for standard input; a missing file starts a new ConfigMap
  --arn ARN              IAM role ARN (without path) or IAM user ARN to map
  --username NAME        Kubernetes username (templates: {{AccountID}}, {{SessionName}},
                         {{SessionNameRaw}}, {{AccessKeyID}}, {{EC2PrivateDNSName}})
  --group GROUP          Kubernetes group; repeat it or separate groups with commas
  --no-duplicate-arns    refuse when the ARN is already mapped (an identical mapping is left as is)
  --account ID           add an account to mapAccounts
  --service-name NAME    map an AWS service's role; only emr-containers exists
  --namespace NS         namespace for the service's RBAC (required with --service-name)
  --cluster-account ID   account of the cluster (the service's role lives there); by default the
                         cluster's own (--cluster), else the single account of the role mappings
  --partition NAME       partition of the service's role (default: the cluster's own, else aws)
  --rbac-file PATH       write the service's RBAC (Role, RoleBinding) there instead of standard error
                         (with --cluster the RBAC is applied to the cluster instead)
  --in-place             replace the file (atomically) instead of printing the result
  -o, --output FMT       yaml (default) or json (file mode: the printed result)
${CLUSTER_FLAGS}`;

export const DELETE_HELP = `Usage: eks-access mapping delete (--file CM.yaml | --cluster NAME) (--arn ARN [--all] | --account ID) [flags]

  --file PATH        the ConfigMap; "-" for standard input
  --arn ARN          remove the first mapping of this ARN (roles before users); an error if none
  --all              remove every mapping of the ARN (no error if none)
  --account ID       remove the account from mapAccounts
  --in-place         replace the file (atomically) instead of printing the result
  -o, --output FMT   yaml (default) or json (file mode: the printed result)
${CLUSTER_FLAGS}`;

export const LINT_HELP = `Usage: eks-access lint (--file CM.yaml | --cluster NAME) [-o text|json]

Reports every problem of the ConfigMap: YAML the authenticator cannot read, entries it drops or
never matches (missing or malformed ARNs, role ARNs with a path, invalid account IDs), unknown
username template variables, duplicate ARNs, ignored keys. Exits 1 when there is any error.

  --file PATH        the ConfigMap; "-" for standard input
  -o, --output FMT   text (default) or json
${CLUSTER_FLAGS}`;
