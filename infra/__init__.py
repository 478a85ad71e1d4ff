"""PrepAI's AWS stack: the CloudFormation template, Lambda packaging and the deploy/destroy orchestration."""
