"""The knowledge base: S3 Vectors storage, its role, the KB itself and the S3 data source on the KB bucket."""

from __future__ import annotations

from typing import Any

from infra.cfn import allow, get_att, if_, no_value, policy_document, ref, service_trust, sub
from infra.parts import parameters as p
from infra.parts.storage import KNOWLEDGE_BUCKET

VECTOR_BUCKET = "KnowledgeVectorBucket"
VECTOR_INDEX = "KnowledgeVectorIndex"
KB_ROLE = "KnowledgeBaseRole"
KNOWLEDGE_BASE = "KnowledgeBase"
DATA_SOURCE = "KnowledgeBaseDataSource"

# Documents live under this prefix; anything else in the bucket (deploy's manifest) is not ingested.
DOCS_PREFIX = "notes/"
KB_DESCRIPTION = ("Interview knowledge notes: what good answers cover per interview type, system design "
                  "building blocks, behavioural frameworks and cloud architecture facts.")


def embedding_model_arn() -> dict[str, str]:
    return sub("arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/${" + p.EMBEDDING_MODEL + "}")


def _role() -> dict[str, Any]:
    bucket_arn = get_att(KNOWLEDGE_BUCKET, "Arn")
    same_account = {"StringEquals": {"aws:ResourceAccount": ref("AWS::AccountId")}}
    statements = [
        allow("ListKnowledgeDocuments", ["s3:ListBucket"], [bucket_arn], same_account),
        allow("ReadKnowledgeDocuments", ["s3:GetObject"], [sub("${" + KNOWLEDGE_BUCKET + ".Arn}/*")], same_account),
        allow("EmbedWithOneModel", ["bedrock:InvokeModel"], [embedding_model_arn()]),
        allow("WriteOwnVectorIndex",
              ["s3vectors:GetIndex", "s3vectors:PutVectors", "s3vectors:GetVectors", "s3vectors:DeleteVectors",
               "s3vectors:QueryVectors"],
              [get_att(VECTOR_INDEX, "IndexArn")]),
        if_(p.USE_KMS, allow("DecryptKnowledgeDocuments", ["kms:Decrypt"], [ref(p.KMS_KEY)],
                             {"StringEquals": {"kms:ViaService": sub("s3.${AWS::Region}.amazonaws.com")}}),
            no_value()),
    ]
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": "Lets the PrepAI knowledge base read its documents, embed them and store the vectors.",
            "AssumeRolePolicyDocument": service_trust(
                "bedrock.amazonaws.com",
                sub("arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:knowledge-base/*"),
            ),
            "Policies": [{"PolicyName": "knowledge-base-ingestion", "PolicyDocument": policy_document(*statements)}],
        },
    }


def resources() -> dict[str, Any]:
    return {
        VECTOR_BUCKET: {
            "Type": "AWS::S3Vectors::VectorBucket",
            "Properties": {"EncryptionConfiguration": {"SseType": "AES256"}},
        },
        VECTOR_INDEX: {
            "Type": "AWS::S3Vectors::Index",
            "Properties": {
                "VectorBucketArn": get_att(VECTOR_BUCKET, "VectorBucketArn"),
                "DataType": "float32",
                "Dimension": ref(p.EMBEDDING_DIMENSIONS),
                "DistanceMetric": "cosine",
                # Bedrock stores each chunk's text and metadata with its vector; S3 Vectors caps filterable
                # metadata at 2 KB, so these two keys must be non-filterable or ingestion of longer chunks fails.
                "MetadataConfiguration": {
                    "NonFilterableMetadataKeys": ["AMAZON_BEDROCK_TEXT", "AMAZON_BEDROCK_METADATA"],
                },
            },
        },
        KB_ROLE: _role(),
        KNOWLEDGE_BASE: {
            "Type": "AWS::Bedrock::KnowledgeBase",
            "Properties": {
                "Name": sub("${AWS::StackName}-knowledge"),
                "Description": KB_DESCRIPTION,
                "RoleArn": get_att(KB_ROLE, "Arn"),
                "KnowledgeBaseConfiguration": {
                    "Type": "VECTOR",
                    "VectorKnowledgeBaseConfiguration": {
                        "EmbeddingModelArn": embedding_model_arn(),
                        "EmbeddingModelConfiguration": {
                            "BedrockEmbeddingModelConfiguration": {
                                "Dimensions": ref(p.EMBEDDING_DIMENSIONS),
                                "EmbeddingDataType": "FLOAT32",
                            }
                        },
                    },
                },
                "StorageConfiguration": {
                    "Type": "S3_VECTORS",
                    "S3VectorsConfiguration": {"IndexArn": get_att(VECTOR_INDEX, "IndexArn")},
                },
            },
        },
        DATA_SOURCE: {
            "Type": "AWS::Bedrock::DataSource",
            "Properties": {
                "Name": "prepai-knowledge-notes",
                "Description": "Markdown knowledge notes exported by prepai infra deploy.",
                "KnowledgeBaseId": get_att(KNOWLEDGE_BASE, "KnowledgeBaseId"),
                "DataSourceConfiguration": {
                    "Type": "S3",
                    "S3Configuration": {
                        "BucketArn": get_att(KNOWLEDGE_BUCKET, "Arn"),
                        "BucketOwnerAccountId": ref("AWS::AccountId"),
                        "InclusionPrefixes": [DOCS_PREFIX],
                    },
                },
                "VectorIngestionConfiguration": {
                    # Notes are short sections; ~300-token chunks keep one idea per chunk and stay well inside
                    # S3 Vectors' per-vector metadata limit.
                    "ChunkingConfiguration": {
                        "ChunkingStrategy": "FIXED_SIZE",
                        "FixedSizeChunkingConfiguration": {"MaxTokens": 300, "OverlapPercentage": 15},
                    }
                },
            },
        },
    }


def outputs() -> dict[str, Any]:
    return {
        "KnowledgeBaseId": {"Description": "Knowledge base id.", "Value": get_att(KNOWLEDGE_BASE, "KnowledgeBaseId")},
        "DataSourceId": {"Description": "Knowledge base data source id.",
                         "Value": get_att(DATA_SOURCE, "DataSourceId")},
    }
