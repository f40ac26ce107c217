/** Help texts: `eks-access --help` and `--help` on every command. */

export const MAIN_HELP = `eks-access: inspect and edit the aws-auth ConfigMap of Amazon EKS clusters, move them to access entries,
and see who can do what.

Usage:
  eks-access mapping get     SOURCE [--arn ARN] [-o table|json|yaml]
  eks-access mapping create  SOURCE (--arn ARN [--username U] [--group G]... [--no-duplicate-arns]
                                     | --account ID
                                     | --service-name emr-containers --namespace NS [--cluster-account ID])
  eks-access mapping delete  SOURCE (--arn ARN [--all] | --account ID)
  eks-access lint            SOURCE [-o text|json]
  eks-access migrate plan    SOURCE [--access-entries FILE] [--mode M] [-o table|json|yaml|cdk]
  eks-access migrate apply   --cluster NAME [--target-mode API_AND_CONFIG_MAP|API] [--remove-migrated] [--yes]
  eks-access explain         --arn ARN (FILES | --cluster NAME) [--can VERB RESOURCE [-n NS]]... [-o text|json]
  eks-access report          (FILES | --cluster NAME | --app cdk.out) [-o table|json|html] [--out FILE]
  eks-access diff            --app cdk.out --cluster NAME [-o text|json]
  eks-access --version       the version of eks-access (of the cdk-eks-access package)

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
      --timeout S       give up after S seconds (default 120; migrate apply 1800)

FILES (explain, report) is --file CM.yaml and/or --access-entries FILE, with --rbac FILE... and --mode M.

Exit codes: 0 success, 1 error (or lint found errors), 2 usage error, 3 explain --can answered no
(or diff found changes).
Run "eks-access <command> --help" for a command's flags.
`;

export const MAPPING_HELP = `Usage: eks-access mapping (get|create|delete) (--file CM.yaml | --cluster NAME) [flags]

  get      list the mappings (like eksctl get iamidentitymapping)
  create   add a role, user, account or service mapping (like eksctl create iamidentitymapping)
  delete   remove a mapping or account (like eksctl delete iamidentitymapping)
`;

export const MIGRATE_HELP = `Usage: eks-access migrate (plan|apply) [flags]

  plan     the move from aws-auth to access entries: one verdict per aws-auth entry (migrate,
           covered, skip, blocked), the access entries to create, and whether the cluster may
           move to authentication mode API; nothing is written
  apply    carry it out on a cluster, one step at a time, verifying each migrated identity
`;

/** Flags of live mode, shown in every command's help. */
const CLUSTER_FLAGS = `  --cluster NAME     instead of --file: the live aws-auth of this EKS cluster
  --region R         its region (default: AWS_REGION, then AWS_DEFAULT_REGION)
  --profile P        use this profile of your AWS config for credentials
  --role-arn ARN     assume this role for the Kubernetes API
  --verbose          print every API call to standard error
  --timeout S        give up after S seconds (default 120)
`;

export const MIGRATE_PLAN_HELP = `Usage: eks-access migrate plan (--file CM.yaml [--access-entries FILE] | --cluster NAME) [-o table|json|yaml|cdk]

Plans the move from aws-auth to EKS access entries; writes nothing. Each aws-auth entry gets one
verdict: migrate (the access entry to create), covered (an access entry exists), skip (EKS
manages it: managed node groups, Fargate profiles), or blocked (with the fix). The plan says
whether the cluster may move to authentication mode API, and who would lose access if it did.

  --file PATH              the ConfigMap (YAML or JSON); "-" for standard input
  --access-entries FILE    the cluster's access entries as JSON: a list, {"accessEntries": [...]}, or
                           {"accessEntry": {...}}; policies as accessPolicies or associatedAccessPolicies
  --mode M                 the cluster's authentication mode (default API_AND_CONFIG_MAP with
                           --access-entries, else CONFIG_MAP)
  --principal-arn ARN      the full ARN (path included) of a principal aws-auth names without its
                           path, e.g. an IAM Identity Center role; repeatable. With --cluster, IAM
                           is asked for the cluster's account (iam:GetRole, iam:GetUser, iam:ListRoles)
  --managed-node-role ARN  the node role of a managed node group (file mode; repeatable)
  --fargate-role ARN       the pod execution role of a Fargate profile (file mode; repeatable)
  --cluster-account ID     the cluster's account: node entries must name its roles (file mode)
  -o, --output FMT         table (default), json, yaml, or cdk: TypeScript for cdk-eks-access
                           (ClusterAccess calls that create the migrated entries)
${CLUSTER_FLAGS}`;

export const MIGRATE_APPLY_HELP = `Usage: eks-access migrate apply --cluster NAME [--target-mode API_AND_CONFIG_MAP|API] [--remove-migrated] [--yes]

Moves a cluster from aws-auth to access entries, one step at a time, printing every write:
1. plans (as migrate plan) and asks for confirmation, unless --yes;
2. moves a CONFIG_MAP cluster to API_AND_CONFIG_MAP (EKS then creates the entries of managed node
   groups and Fargate profiles) and plans again;
3. creates the planned access entries (an entry that exists by then is adopted: it gains the
   planned groups and policies, never loses any) and associates their policies;
4. verifies that each migrated principal resolves through its access entry to the username and
   groups aws-auth gave it (system:masters as AmazonEKSClusterAdminPolicy); stops otherwise;
5. with --remove-migrated, removes the verified entries from aws-auth (never a blocked or skipped one);
6. with --target-mode API, moves the cluster to API only when the plan allows it (nothing blocked,
   nothing that only aws-auth grants); otherwise stops and says why.
Every step can be repeated: after a failure or Ctrl-C, run the command again to continue.

  --target-mode M        API_AND_CONFIG_MAP (default) or API (aws-auth is ignored from then on;
                         EKS cannot move a cluster back)
  --remove-migrated      remove the migrated entries from aws-auth once verified
  -y, --yes              do not ask for confirmation
  --principal-arn ARN    the full ARN of a principal IAM cannot tell (another account's role with a path)
${CLUSTER_FLAGS}  (--timeout defaults to 1800 here: mode updates take minutes)
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
  --force                write the mapping even when eks-access lint finds an error in it (such as a
                         template the authenticator does not expand); without it such a mapping is
                         refused and nothing is written
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

/** The flags of explain and report that read files. */
const FILE_FLAGS = `  --file PATH            aws-auth (YAML or JSON, as kubectl prints it); "-" for standard input;
                         a file that does not exist stands for a cluster without aws-auth
  --access-entries PATH  the access entries (JSON: a list of {principalArn, type, username,
                         kubernetesGroups, accessPolicies: [{policyArn, accessScope}]}, or
                         {"accessEntries": [...]}, or aws eks describe-access-entry's output)
  --rbac PATH            Roles, ClusterRoles and their bindings (YAML, several documents or a
                         List, or JSON); repeat it for several files. Kubernetes' default roles
                         (cluster-admin, admin, edit, view) are assumed unless a file defines them
  --mode MODE            the cluster's authentication mode: CONFIG_MAP, API_AND_CONFIG_MAP or API
                         (default: API_AND_CONFIG_MAP with --access-entries, else CONFIG_MAP)
`;

export const EXPLAIN_HELP = `Usage: eks-access explain --arn ARN (FILES | --cluster NAME) [--session-name S]
                          [--can VERB RESOURCE [-n NS]]... [-o text|json]

Walks the caller through the cluster's access as EKS does, step by step: the authentication mode,
the access entry (which wins over aws-auth), else aws-auth (case-insensitive, role path dropped,
the last valid entry winning; shadowed entries are named with their lines), else mapAccounts; the
username and groups with their templates rendered; then the access policies and the RBAC
bindings that name them, summarized as verbs x resources. Says plainly when the caller cannot
authenticate, or authenticates but has no permissions, and why.

  --arn ARN              what the caller presents (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION,
                         an IAM user ARN, a root ARN), or an IAM role ARN (path included) for a
                         sample session of it
  --session-name S       the session name for a role ARN (default "session")
  --can VERB RESOURCE    may the caller do it? RESOURCE as kubectl writes it: pods, pods/log,
                         deployments.apps, deploy, or a URL path (/healthz); repeatable
  -n, --namespace NS     the namespace of every --can (default: all namespaces, which only
                         cluster-wide permissions allow)
  -o, --output FMT       text (default) or json
${FILE_FLAGS}${CLUSTER_FLAGS}
Exit codes: 0 (every --can answered yes), 1 error, 2 usage error, 3 some --can answered no.
`;

export const REPORT_HELP = `Usage: eks-access report (FILES | --cluster NAME | --app cdk.out) [-o table|json|html] [--out FILE]

Everyone who can reach the cluster and what they get: one row per principal (IAM ARN, mechanism,
username, groups, access policies with their scopes, bound roles and their namespaces), then the
problems: shadowed and dead entries, mappings EKS ignores, lint errors, identities that
authenticate to nothing, system:masters holders, wildcard rules, bindings to groups nobody is in.

  --app DIR              a synthesized app (cdk.out): what its ClusterAccess constructs will grant,
                         from the custom resources' desired state (S3-spilled states included),
                         with the IAM groups that may assume each role
  -o, --output FMT       table (default), json, or html (one self-contained page with a filterable
                         table and a graph of IAM group -> role -> Kubernetes group -> role -> namespace)
  --out FILE             write the report there instead of standard output
${FILE_FLAGS}  (--mode also goes with --app: the cluster's mode when the app does not tell it)
${CLUSTER_FLAGS}`;

export const DIFF_HELP = `Usage: eks-access diff --app cdk.out --cluster NAME [-o text|json]

What cdk deploy of the app would change on the cluster, before it runs: the authentication-mode
steps, access entries and policy associations added, changed or removed, aws-auth entries added or
removed, RBAC objects created, changed or deleted, and the refusals the handler would give
(lockout, objects of another owner, manifests the API server rejects). It runs the handler's own
planning code against the live cluster, read only: nothing is written.

  --app DIR              the synthesized app (cdk.out); its ClusterAccess constructs on the cluster
                         (those naming it, else those whose cluster is created in the app)
  -o, --output FMT       text (default) or json
${CLUSTER_FLAGS}
Exit codes: 0 no change, 1 error or a refusal, 2 usage error, 3 changes.
`;
