package check

// All is the catalogue: every check, in code order. Codes are stable: a
// retired code is never reused. Ranges: MD00xx input, MD01xx edges,
// MD02xx DestinationRule, MD03xx PeerAuthentication, MD04xx probes and
// startup, MD05xx inventory gaps, MD06xx references, MD07xx telemetry pipelines.
var All = []*Check{
	InputMalformed,
	EdgeFails,
	EdgeUndecided,
	DRHostNoService,
	DRDottedShortHost,
	DRNeverApplies,
	DRCredentialNameNoSelector,
	DRPortLevelWithoutTLS,
	DRSelectorCatchAllPrivate,
	DRSubsetTLS,
	PAPortNotContainerPort,
	PASelectorMatchesNothing,
	PARootSelectorIgnored,
	PAOrderDependent,
	PANoEffect,
	ProbeStrictNoRewrite,
	StartupRace,
	NamespaceNotInInputs,
	ReferenceDangling,
	OTLPProtocolMismatch,
	OTLPReceiverLocalhost,
	OTLPProtocolNotEnabled,
	OTLPTLSMismatch,
	OTLPEndpointNoService,
	OTLPPortProtocolHint,
	OTLPNoReachableEndpoint,
	OTLPSignalNotInPipeline,
	OTLPCollectorUnread,
	OTLPInjectionUnresolved,
	TelemetryProviderUndefined,
	TelemetryProviderUnread,
}
