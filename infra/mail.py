"""Email: the verified sender, and the configuration set every message goes through.

The configuration set is the sender identity's default, so the worker's mail and Cognito's
(sign-up codes, password resets) are both measured: sends, deliveries, bounces and complaints
go to CloudWatch by configuration set, where the alarms watch the bounce and complaint rates
SES itself judges an account by. Addresses that bounce or complain are suppressed, and TLS is
required to the recipient's server.
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ses as ses
from constructs import Construct

# The CloudWatch dimension SES's event destination tags its metrics with.
CONFIGURATION_SET_DIMENSION = "ses:configuration-set"
MEASURED_EVENTS = (
    ses.EmailSendingEvent.SEND,
    ses.EmailSendingEvent.DELIVERY,
    ses.EmailSendingEvent.BOUNCE,
    ses.EmailSendingEvent.COMPLAINT,
    ses.EmailSendingEvent.REJECT,
)


class Mail(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, sender_email: str) -> None:
        super().__init__(scope, construct_id)
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
            tls_policy=ses.ConfigurationSetTlsPolicy.REQUIRE,
        )
        self.configuration_set.add_event_destination(
            "Metrics",
            destination=ses.EventDestination.cloud_watch_dimensions(
                [
                    ses.CloudWatchDimension(
                        name=CONFIGURATION_SET_DIMENSION,
                        source=ses.CloudWatchDimensionSource.MESSAGE_TAG,
                        default_value="unset",
                    )
                ]
            ),
            events=list(MEASURED_EVENTS),
        )
        self.sender_email = sender_email
        self.identity = ses.EmailIdentity(
            self,
            "Sender",
            identity=ses.Identity.email(sender_email),
            configuration_set=self.configuration_set,
        )
        self.configuration_set_name = self.configuration_set.configuration_set_name
        self.configuration_set_arn = Stack.of(self).format_arn(
            service="ses",
            resource="configuration-set",
            resource_name=self.configuration_set_name,
        )
