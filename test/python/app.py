"""The team-model app of app.ts, in Python, through the library's jsii binding.

Same construct IDs and values as app.ts: the binding test compares the two templates.
Usage: python app.py OUTDIR
"""
import sys

import aws_cdk as cdk
from aws_cdk import aws_iam as iam

from cdk_eks_access import (
    AccessPolicy,
    AccessPolicyGrant,
    AccessScope,
    ClusterAccess,
    KubernetesClusterRole,
    PolicyRule,
)


def build_teams_app(outdir: str) -> cdk.App:
    app = cdk.App(
        outdir=outdir,
        analytics_reporting=False,
        context={"aws:cdk:disable-creation-stack-traces": True},
    )
    stack = cdk.Stack(
        app,
        "EksAccessTeams",
        env=cdk.Environment(account="111122223333", region="eu-west-1"),
        description="cdk-eks-access: the team model, from any jsii language",
    )
    access = ClusterAccess(stack, "Access", cluster_name="prod-eu")

    access.add_team(
        "Developers",
        team_name="dev",
        namespaces=["dev", "dev-tools"],
        create_namespaces=True,
        namespace_role=KubernetesClusterRole.EDIT,
        max_session_duration=cdk.Duration.hours(4),
    )
    access.add_team(
        "Sre",
        require_mfa=True,
        role_path="/platform/",
        access_policies=[AccessPolicyGrant(policy=AccessPolicy.AMAZON_EKS_CLUSTER_ADMIN_POLICY)],
    )
    access.add_team(
        "Readers",
        cluster_role=KubernetesClusterRole.from_rules(
            "node-reader",
            [PolicyRule(api_groups=[""], resources=["nodes", "namespaces"], verbs=["get", "list", "watch"])],
        ),
        access_policies=[
            AccessPolicyGrant(
                policy=AccessPolicy.AMAZON_EKS_VIEW_POLICY,
                scope=AccessScope.namespaces("dev", "dev-tools"),
            )
        ],
    )
    access.map_role(
        iam.Role.from_role_arn(stack, "CiRole", "arn:aws:iam::111122223333:role/ci/deployer"),
        groups=["deployers"],
    )
    access.map_node_role(iam.Role.from_role_arn(stack, "NodeRole", "arn:aws:iam::111122223333:role/eks-prod-eu-nodes"))
    return app


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python app.py OUTDIR")
    build_teams_app(sys.argv[1]).synth()
