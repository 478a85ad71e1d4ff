"""What cfn-lint does not check: wiring, least privilege, private buckets, and the tool schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from infra.action_groups import PLACEMENTS, check_placements_cover, from_cfn_function
from infra.models import KIND_OUTPUTS, StackOutputs
from infra.parts.agent import AGENT
from prepai_cli.agent.prompts import AGENT_INSTRUCTION
from prepai_cli.agent.tools.registry import to_agent_function_schema
from prepai_cli.errors import PrepAIError
from tests.infra.conftest import resources_of_type

# Every Allow statement resource that contains "*", with why it cannot be narrower. Anything else fails the test.
JUSTIFIED_WILDCARDS = {
    # Objects under a bucket the stack owns: object keys are not known at deploy time.
    ("KnowledgeBaseRole", "ReadKnowledgeDocuments", "${KnowledgeBaseBucket.Arn}/*"),
    # The CLI user's own prefix in the user-data bucket (sessions, audio, reports, CVs).
    ("PrepAIUserPolicy", "SyncUserData", "${UserDataBucket.Arn}/users/*"),
    # Cross-region inference profiles route to the same model in any region of the profile; the statement is
    # conditioned on bedrock:InferenceProfileArn (asserted below) and only exists when a profile is configured.
    ("InterviewerAgentRole", "InterviewerInvokeModelThroughProfile",
     "arn:${AWS::Partition}:bedrock:*::foundation-model/${FoundationModelId}"),
    ("PrepAIUserPolicy", "ConverseInvokeModelThroughProfile",
     "arn:${AWS::Partition}:bedrock:*::foundation-model/${FoundationModelId}"),
}


def _branches(node: Any) -> Iterator[Any]:
    """Both sides of every Fn::If, so conditional statements are checked too."""
    if isinstance(node, dict) and "Fn::If" in node:
        for side in node["Fn::If"][1:]:
            yield from _branches(side)
    elif node != {"Ref": "AWS::NoValue"}:
        yield node


def _as_list(value: Any) -> list[Any]:
    out: list[Any] = []
    for branch in _branches(value):
        out.extend(branch if isinstance(branch, list) else [branch])
    return out


def _policy_documents(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, res in template["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                yield name, policy["PolicyDocument"]
        elif res["Type"] == "AWS::IAM::ManagedPolicy":
            yield name, props["PolicyDocument"]


def _allow_statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, document in _policy_documents(template):
        for raw in document["Statement"]:
            for statement in _branches(raw):
                if statement["Effect"] == "Allow":
                    yield name, statement


def _text(resource: Any) -> str:
    if isinstance(resource, str):
        return resource
    if isinstance(resource, dict) and "Fn::Sub" in resource:
        return resource["Fn::Sub"]
    return json.dumps(resource)


def assert_no_wildcard_action(template: dict[str, Any]) -> None:
    for name, statement in _allow_statements(template):
        for action in _as_list(statement["Action"]):
            assert "*" not in action, f"{name}/{statement['Sid']} allows {action}"


def wildcard_resources(template: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(resource, Sid, ARN) of every Allow resource containing "*"; a bare "*" fails at once."""
    found = set()
    for name, statement in _allow_statements(template):
        for resource in _as_list(statement["Resource"]):
            assert resource != "*", f"{name}/{statement['Sid']} allows every resource"
            if "*" in _text(resource):
                found.add((name, statement["Sid"], _text(resource)))
    return found


def test_no_allow_statement_uses_a_wildcard_action(template: dict) -> None:
    assert_no_wildcard_action(template)


def test_every_wildcard_resource_is_justified(template: dict) -> None:
    assert wildcard_resources(template) == JUSTIFIED_WILDCARDS


def test_region_wildcard_model_access_requires_the_profile(template: dict) -> None:
    for name, statement in _allow_statements(template):
        if statement["Sid"].endswith("ThroughProfile"):
            assert "bedrock:InferenceProfileArn" in statement["Condition"]["StringEquals"], name


def test_action_group_lambdas_exist_and_only_this_agent_may_invoke_them(template: dict) -> None:
    functions = resources_of_type(template, "AWS::Lambda::Function")
    permissions = resources_of_type(template, "AWS::Lambda::Permission")
    groups = template["Resources"][AGENT]["Properties"]["ActionGroups"]
    lambda_targets = [g["ActionGroupExecutor"]["Lambda"]["Fn::GetAtt"] for g in groups
                      if "Lambda" in g["ActionGroupExecutor"]]
    assert lambda_targets, "no action group runs in Lambda"
    for target in lambda_targets:
        assert target[1] == "Arn" and target[0] in functions
    assert {t[0] for t in lambda_targets} == set(functions)  # no function without an action group
    for function in functions:
        granted = [p["Properties"] for p in permissions.values()
                   if p["Properties"]["FunctionName"] == {"Fn::GetAtt": [function, "Arn"]}]
        assert granted == [{
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [function, "Arn"]},
            "Principal": "bedrock.amazonaws.com",
            "SourceAccount": {"Ref": "AWS::AccountId"},
            "SourceArn": {"Fn::GetAtt": [AGENT, "AgentArn"]},
        }], function


def test_lambda_roles_only_write_their_own_log_group(template: dict) -> None:
    for name, function in resources_of_type(template, "AWS::Lambda::Function").items():
        props = function["Properties"]
        assert props["Runtime"] == "python3.12"
        log_group = props["LoggingConfig"]["LogGroup"]["Ref"]
        assert template["Resources"][log_group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}
        role = template["Resources"][props["Role"]["Fn::GetAtt"][0]]
        statements = [s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]]
        assert statements == [{
            "Sid": "WriteOwnLogGroup", "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [{"Fn::GetAtt": [log_group, "Arn"]}],
        }], name
        assert "ManagedPolicyArns" not in role["Properties"]


def test_bedrock_roles_trust_only_this_accounts_agents_and_knowledge_bases(template: dict) -> None:
    expected = {"InterviewerAgentRole": ":agent/*", "KnowledgeBaseRole": ":knowledge-base/*"}
    for name, suffix in expected.items():
        (trust,) = template["Resources"][name]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "bedrock.amazonaws.com"}
        assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        source = trust["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"]
        assert source.endswith(suffix) and "${AWS::AccountId}" in source


def test_agent_role_invokes_only_its_model_and_retrieves_only_its_knowledge_base(template: dict) -> None:
    statements = {s["Sid"]: s for _, s in _allow_statements(template) if _ == "InterviewerAgentRole"}
    assert set(statements) == {"InterviewerInvokeModel", "InterviewerInvokeModelThroughProfile",
                               "RetrieveFromOwnKnowledgeBase"}
    assert _as_list(statements["InterviewerInvokeModel"]["Resource"]) == [
        {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/"
                    "${InferenceProfileId}"},
        {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/${FoundationModelId}"},
    ]
    assert statements["RetrieveFromOwnKnowledgeBase"]["Resource"] == [{"Fn::GetAtt": ["KnowledgeBase",
                                                                                      "KnowledgeBaseArn"]}]


def test_knowledge_base_role_is_scoped_to_its_bucket_index_and_embedding_model(template: dict) -> None:
    scope = {}
    for name, statement in _allow_statements(template):
        if name == "KnowledgeBaseRole":
            for action in statement["Action"]:
                scope.setdefault(action.split(":")[0], []).extend(_text(r) for r in statement["Resource"])
    assert set(scope) == {"s3", "bedrock", "s3vectors", "kms"}
    assert all("KnowledgeBaseBucket" in r for r in scope["s3"])
    assert set(scope["s3vectors"]) == {json.dumps({"Fn::GetAtt": ["KnowledgeVectorIndex", "IndexArn"]})}
    assert set(scope["bedrock"]) == {"arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/"
                                     "${EmbeddingModelId}"}
    assert set(scope["kms"]) == {json.dumps({"Ref": "KmsKeyArn"})}


@pytest.mark.parametrize("bucket", ["UserDataBucket", "KnowledgeBaseBucket"])
def test_buckets_are_private_encrypted_and_tls_only(template: dict, bucket: str) -> None:
    props = template["Resources"][bucket]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    kms, default = rule["ServerSideEncryptionByDefault"]["Fn::If"][1:]
    assert kms == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": {"Ref": "KmsKeyArn"}}
    assert default == {"SSEAlgorithm": "AES256"}
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    policies = [p["Properties"] for p in resources_of_type(template, "AWS::S3::BucketPolicy").values()
                if p["Properties"]["Bucket"] == {"Ref": bucket}]
    (policy,) = policies
    (deny,) = policy["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [{"Fn::GetAtt": [bucket, "Arn"]}, {"Fn::Sub": "${" + bucket + ".Arn}/*"}]


def test_user_data_is_versioned_retained_and_ages_out(template: dict) -> None:
    bucket = template["Resources"]["UserDataBucket"]
    assert bucket["DeletionPolicy"] == "Retain" and bucket["UpdateReplacePolicy"] == "Retain"
    props = bucket["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    audio = rules["interview-audio-ages-out"]
    assert audio["Prefix"] == "users/" and audio["TagFilters"] == [{"Key": "prepai-content", "Value": "audio"}]
    assert audio["Transitions"] == [{"StorageClass": "STANDARD_IA", "TransitionInDays": {"Ref": "AudioTransitionDays"}}]
    assert audio["ExpirationInDays"] == {"Ref": "AudioExpirationDays"}
    assert rules["old-versions-expire"]["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": {"Ref": "NoncurrentVersionExpirationDays"}}


def test_action_group_schemas_equal_the_tool_registry(template: dict) -> None:
    registry = {fn["name"]: fn for fn in to_agent_function_schema()}
    agent = template["Resources"][AGENT]["Properties"]
    deployed = {}
    for group in agent["ActionGroups"]:
        for function in group["FunctionSchema"]["Functions"]:
            deployed[function["Name"]] = from_cfn_function(function)
    native = {p.tool for p in PLACEMENTS if p.placement == "native_knowledge_base"}
    assert set(deployed) | native == set(registry) and not set(deployed) & native
    for name, function in deployed.items():
        assert function == registry[name]
    assert [kb["KnowledgeBaseId"] for kb in agent["KnowledgeBases"]] == [
        {"Fn::GetAtt": ["KnowledgeBase", "KnowledgeBaseId"]}]


def test_run_code_returns_control_to_the_candidates_machine(template: dict) -> None:
    groups = template["Resources"][AGENT]["Properties"]["ActionGroups"]
    (code,) = [g for g in groups if g["FunctionSchema"]["Functions"][0]["Name"] == "run_code"]
    assert code["ActionGroupExecutor"] == {"CustomControl": "RETURN_CONTROL"}


def test_agent_uses_prepais_instruction_and_prepares_itself(template: dict) -> None:
    agent = template["Resources"][AGENT]["Properties"]
    assert agent["Instruction"] == AGENT_INSTRUCTION
    assert agent["AutoPrepare"] is True
    assert template["Resources"]["KnowledgeBase"]["Properties"]["StorageConfiguration"]["Type"] == "S3_VECTORS"


def test_outputs_cover_what_the_cli_reads(template: dict, harness_template: dict) -> None:
    shared = {field.alias for field in StackOutputs.model_fields.values() if field.alias and field.is_required()}
    assert shared | set(KIND_OUTPUTS["agents-classic"]) <= set(template["Outputs"])
    assert shared | set(KIND_OUTPUTS["harness"]) <= set(harness_template["Outputs"])


def test_parameters_have_safe_defaults_except_the_code_location(template: dict) -> None:
    without_default = {name for name, p in template["Parameters"].items() if "Default" not in p}
    assert without_default == {"LambdaCodeBucket", "LambdaCodeKey"}


def test_a_tool_missing_from_the_placements_is_refused() -> None:
    names = {p.tool for p in PLACEMENTS}
    check_placements_cover(names)
    with pytest.raises(PrepAIError, match="unplaced \\['transcribe'\\]"):
        check_placements_cover(names | {"transcribe"})
