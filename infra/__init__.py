"""The AWS CDK app: one stack, a construct per concern, and the Lambda bundle it deploys."""

import os

# jsii runs on this machine's Node 20, past jsii's support window but working; without this its
# end-of-life banner floods every synth and test run.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
