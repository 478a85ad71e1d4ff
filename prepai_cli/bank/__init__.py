"""The question bank shipped with PrepAI."""

from prepai_cli.bank.loader import QuestionBank, load_bank
from prepai_cli.bank.models import BankFile, CodingSpec, CodeTest, FollowUp, InterviewType, KeyPoint, Question

__all__ = [
    "BankFile", "CodeTest", "CodingSpec", "FollowUp", "InterviewType", "KeyPoint", "Question",
    "QuestionBank", "load_bank",
]
