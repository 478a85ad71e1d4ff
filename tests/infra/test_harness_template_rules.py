"""The AgentCore harness stack: least privilege (the IAM wildcard audit), wiring, and tool schemas that match the
registry and what the CLI sends."""

from __future__ import annotations

from typing import Any

from infra.harness_tools import HARNESS_PLACEMENTS, from_cfn_schema, registry_json_schemas
from infra.parts.gateway import GATEWAY, GATEWAY_ROLE
from infra.parts.harness import (
    CODE_INTERPRETER_ACTIONS, HARNESS, HARNESS_ENDPOINT, HARNESS_ROLE, MEMORY, MEMORY_ACTIONS,
)
from prepai_cli.agent.agentcore import harness_tools
from prepai_cli.agent.prompts import AGENT_INSTRUCTION
from prepai_cli.config import AWSSettings
from tests.infra.conftest import resources_of_type
from tests.infra.test_template_rules import (
    _allow_statements, _as_list, _branches, _text, assert_no_wildcard_action, wildcard_resources,
)

# Every Allow resource with a "*" in the harness stack, with why it cannot be narrower. Anything else fails.
JUSTIFIED_WILDCARDS = {
    # Objects under buckets the stack owns: object keys are not known at deploy time.
    ("KnowledgeBaseRole", "ReadKnowledgeDocuments", "${KnowledgeBaseBucket.Arn}/*"),
    ("PrepAIUserPolicy", "SyncUserData", "${UserDataBucket.Arn}/users/*"),
    # Cross-region inference profiles: conditioned on bedrock:InferenceProfileArn, only with a profile configured.
    ("InterviewerHarnessRole", "HarnessInvokeModelThroughProfile",
     "arn:${AWS::Partition}:bedrock:*::foundation-model/${FoundationModelId}"),
    ("PrepAIUserPolicy", "ConverseInvokeModelThroughProfile",
     "arn:${AWS::Partition}:bedrock:*::foundation-model/${FoundationModelId}"),
    # The harness runs on an AgentCore Runtime it creates itself; the runtime's log group name holds that runtime's
    # generated id, unknown to the template. Limited to AgentCore runtime log groups of this account and region.
    ("InterviewerHarnessRole", "WriteRuntimeLogs",
     "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/bedrock-agentcore/runtimes/*"),
}


def _statements(template: dict[str, Any], resource: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for name, s in _allow_statements(template) if name == resource}


def test_no_allow_statement_uses_a_wildcard_action(harness_template: dict) -> None:
    assert_no_wildcard_action(harness_template)


def test_every_wildcard_resource_is_justified(harness_template: dict) -> None:
    assert wildcard_resources(harness_template) == JUSTIFIED_WILDCARDS


def test_harness_role_uses_exactly_its_model_gateway_and_memory(harness_template: dict) -> None:
    statements = _statements(harness_template, HARNESS_ROLE)
    assert set(statements) == {"HarnessInvokeModel", "HarnessInvokeModelThroughProfile", "UseOwnGateway",
                               "UseOwnMemory", "WriteRuntimeLogs", "UseAwsCodeInterpreter"}
    assert _as_list(statements["HarnessInvokeModel"]["Resource"]) == [
        {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/"
                    "${InferenceProfileId}"},
        {"Fn::Sub": "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/${FoundationModelId}"},
    ]
    assert "bedrock:InferenceProfileArn" in statements["HarnessInvokeModelThroughProfile"]["Condition"]["StringEquals"]
    assert statements["UseOwnGateway"]["Action"] == ["bedrock-agentcore:InvokeGateway"]
    assert statements["UseOwnGateway"]["Resource"] == [{"Fn::GetAtt": [GATEWAY, "GatewayArn"]}]
    assert statements["UseOwnMemory"]["Action"] == MEMORY_ACTIONS
    assert statements["UseOwnMemory"]["Resource"] == [{"Fn::GetAtt": [MEMORY, "MemoryArn"]}]
    assert statements["UseAwsCodeInterpreter"]["Action"] == CODE_INTERPRETER_ACTIONS
    assert _text(statements["UseAwsCodeInterpreter"]["Resource"][0]).endswith(
        ":aws:code-interpreter/aws.codeinterpreter.v1")


def test_code_interpreter_permission_exists_only_when_allowed(harness_template: dict) -> None:
    policy = harness_template["Resources"][HARNESS_ROLE]["Properties"]["Policies"][0]["PolicyDocument"]
    (conditional,) = [s for s in policy["Statement"] if "Fn::If" in s and s["Fn::If"][0] == "UseCodeInterpreter"]
    condition, allowed, otherwise = conditional["Fn::If"]
    assert condition == "UseCodeInterpreter" and allowed["Sid"] == "UseAwsCodeInterpreter"
    assert otherwise == {"Ref": "AWS::NoValue"}
    assert harness_template["Conditions"]["UseCodeInterpreter"] == {
        "Fn::Equals": [{"Ref": "AllowCodeInterpreter"}, "true"]}
    assert harness_template["Parameters"]["AllowCodeInterpreter"]["Default"] == "false"


def test_agentcore_roles_trust_only_this_accounts_agentcore(harness_template: dict) -> None:
    expected = {HARNESS_ROLE: ":${AWS::AccountId}:*", GATEWAY_ROLE: ":${AWS::AccountId}:gateway/*"}
    for name, suffix in expected.items():
        (trust,) = harness_template["Resources"][name]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "bedrock-agentcore.amazonaws.com"}
        assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        source = trust["Condition"]["ArnLike"]["aws:SourceArn"]["Fn::Sub"]
        assert source.endswith(suffix) and ":bedrock-agentcore:${AWS::Region}:" in source


def test_gateway_invokes_exactly_its_lambdas_and_nothing_else_may(harness_template: dict) -> None:
    functions = resources_of_type(harness_template, "AWS::Lambda::Function")
    targets = resources_of_type(harness_template, "AWS::BedrockAgentCore::GatewayTarget")
    invoked = [t["Properties"]["TargetConfiguration"]["Mcp"]["Lambda"]["LambdaArn"]["Fn::GetAtt"][0]
               for t in targets.values()]
    assert sorted(invoked) == sorted(functions)  # every function is a target, every target a function
    (statement,) = _statements(harness_template, GATEWAY_ROLE).values()
    assert statement["Action"] == ["lambda:InvokeFunction"]
    assert sorted(r["Fn::GetAtt"][0] for r in statement["Resource"]) == sorted(functions)
    # The gateway calls with its role; no resource policy opens the functions to a service principal.
    assert resources_of_type(harness_template, "AWS::Lambda::Permission") == {}
    for target in targets.values():
        assert target["Properties"]["CredentialProviderConfigurations"] == [
            {"CredentialProviderType": "GATEWAY_IAM_ROLE"}]
        assert target["Properties"]["GatewayIdentifier"] == {"Fn::GetAtt": [GATEWAY, "GatewayIdentifier"]}
    assert harness_template["Resources"][GATEWAY]["Properties"]["AuthorizerType"] == "AWS_IAM"


def test_tool_lambdas_write_their_logs_and_only_search_reads_the_knowledge_base(harness_template: dict) -> None:
    for name, function in resources_of_type(harness_template, "AWS::Lambda::Function").items():
        props = function["Properties"]
        role = harness_template["Resources"][props["Role"]["Fn::GetAtt"][0]]
        statements = {s["Sid"]: s for p in role["Properties"]["Policies"] for s in p["PolicyDocument"]["Statement"]}
        log_group = props["LoggingConfig"]["LogGroup"]["Ref"]
        assert statements.pop("WriteOwnLogGroup")["Resource"] == [{"Fn::GetAtt": [log_group, "Arn"]}]
        if name == "KnowledgeSearchFunction":
            assert statements == {"RetrieveFromOwnKnowledgeBase": {
                "Sid": "RetrieveFromOwnKnowledgeBase", "Effect": "Allow", "Action": ["bedrock:Retrieve"],
                "Resource": [{"Fn::GetAtt": ["KnowledgeBase", "KnowledgeBaseArn"]}]}}
            assert props["Environment"]["Variables"]["KNOWLEDGE_BASE_ID"] == {
                "Fn::GetAtt": ["KnowledgeBase", "KnowledgeBaseId"]}
        else:
            assert statements == {}, name


def test_user_policy_invokes_exactly_this_harness(harness_template: dict) -> None:
    statements = _statements(harness_template, "PrepAIUserPolicy")
    harness = [{"Fn::GetAtt": [HARNESS, "Arn"]}, {"Fn::GetAtt": [HARNESS_ENDPOINT, "Arn"]}]
    assert statements["InvokeInterviewerHarness"]["Action"] == ["bedrock-agentcore:InvokeHarness"]
    assert statements["InvokeInterviewerHarness"]["Resource"] == harness
    assert statements["CheckInterviewerHarness"]["Resource"] == harness
    assert statements["CheckToolsGateway"]["Resource"] == [{"Fn::GetAtt": [GATEWAY, "GatewayArn"]}]
    assert "InvokeInterviewerAgent" not in statements


def test_gateway_schemas_equal_the_tool_registry(harness_template: dict) -> None:
    schemas = registry_json_schemas()
    deployed = {}
    for target in resources_of_type(harness_template, "AWS::BedrockAgentCore::GatewayTarget").values():
        (tool,) = target["Properties"]["TargetConfiguration"]["Mcp"]["Lambda"]["ToolSchema"]["InlinePayload"]
        deployed[tool["Name"]] = (tool["Description"], from_cfn_schema(tool["InputSchema"]))
    gateway_tools = {p.tool for p in HARNESS_PLACEMENTS if p.placement == "gateway_lambda"}
    assert deployed == {name: schemas[name] for name in gateway_tools}
    assert {p.tool for p in HARNESS_PLACEMENTS} == set(schemas)  # every registry tool is placed


def test_run_code_is_an_inline_function_equal_to_what_the_cli_sends(harness_template: dict) -> None:
    harness = harness_template["Resources"][HARNESS]["Properties"]
    inline = [t for t in harness["Tools"] if t["Type"] == "inline_function"]
    assert [t["Name"] for t in inline] == ["run_code"]
    sent = next(t for t in harness_tools(AWSSettings()) if t["type"] == "inline_function")
    assert inline[0]["Config"]["InlineFunction"] == {"Description": sent["config"]["inlineFunction"]["description"],
                                                    "InputSchema": sent["config"]["inlineFunction"]["inputSchema"]}
    assert not any(t["Type"] == "agentcore_code_interpreter" for t in harness["Tools"])  # opt-in per call only
    (gateway,) = [t for t in harness["Tools"] if t["Type"] == "agentcore_gateway"]
    assert gateway["Config"]["AgentCoreGateway"] == {"GatewayArn": {"Fn::GetAtt": [GATEWAY, "GatewayArn"]},
                                                     "OutboundAuth": {"AwsIam": {}}}


def test_harness_speaks_prepais_prompt_remembers_per_candidate_and_the_endpoint_follows_it(
        harness_template: dict) -> None:
    resources = harness_template["Resources"]
    harness = resources[HARNESS]["Properties"]
    assert harness["SystemPrompt"] == [{"Text": AGENT_INSTRUCTION}]
    assert harness["Memory"] == {"AgentCoreMemoryConfiguration": {"Arn": {"Fn::GetAtt": [MEMORY, "MemoryArn"]}}}
    namespaces = [ns for strategy in resources[MEMORY]["Properties"]["MemoryStrategies"]
                  for s in strategy.values() for ns in s["Namespaces"]]
    assert namespaces and all(ns.startswith("/candidates/{actorId}/") for ns in namespaces)
    endpoint = resources[HARNESS_ENDPOINT]["Properties"]
    assert endpoint["HarnessId"] == {"Fn::GetAtt": [HARNESS, "HarnessId"]}
    assert endpoint["TargetVersion"] == {"Fn::GetAtt": [HARNESS, "Version"]}
    assert harness_template["Outputs"]["HarnessEndpointName"]["Value"] == endpoint["EndpointName"]
    assert list(_branches(harness["Model"]["BedrockModelConfig"]["ModelId"]))  # the stack's model parameter
