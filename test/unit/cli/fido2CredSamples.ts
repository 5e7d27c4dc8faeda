/**
 * Outputs of `fido2-cred -M` for the unit tests of the fido2-cred authenticator.
 *
 * HAND-MADE SAMPLES in the format documented by fido2-cred(1) (OUTPUT FORMAT) and printed by
 * libfido2's tools/cred_make.c: they were NOT captured from a security key (none is available here).
 * They were generated once with node:crypto and the soft authenticator's encoders, for the client
 * data below (challenge SAMPLE_CHALLENGE, origin SAMPLE_ORIGIN, RP ID localhost), so their signatures
 * are real and @simplewebauthn/server can verify the attestation objects the station builds from them.
 */

export const SAMPLE_CHALLENGE = 'aGFuZC1tYWRlIHNhbXBsZSBjaGFsbGVuZ2UgZm9yIGZpZG8yLWNyZWQ';
export const SAMPLE_ORIGIN = 'http://localhost:7071';
export const SAMPLE_RP_ID = 'localhost';

/** packed, basic attestation (x5c leaf with the id-fido-gen-ce-aaguid extension), es256, UP+UV, then a largeBlobKey line (-b). */
export const PACKED_X5C_OUTPUT =
  [
    '7VDb/aw7GKeG9979DIg904fCqplnPA5av70JzumnQzo=',
    'localhost',
    'packed',
    'WLRJlg3liA6MaHQ0Fw9kdmBbj+SuuaKGMseZXPO6gx2XY0UAAAAAXKGrHgAAQACAAAAAAA8dAgAwMkpOG0h3qmp2PmhXr6lJOb1Ps61JwsQ4jGtuvumUY/UIP4lseQSd0h/V+NZbg77cpQECAyYgASFYIIoFd17lkcU2hOOhwiKdP8e7p//jywfv7E7rICSCK6OyIlgg3sPd1PHNR9TIkW1AK9vyM3KJ/v1CnYQAPk7UbEpkAMs=',
    'MkpOG0h3qmp2PmhXr6lJOb1Ps61JwsQ4jGtuvumUY/UIP4lseQSd0h/V+NZbg77c',
    'MEUCIQCHDy9gmv8KmLV3j52pdT1VzMret+e6B1UCZOjfwl6C0AIgKI9qmbgeGJENs+zqLzi60ymhrK6fQHWu6TdrGWT4ye4=',
    'MIICLjCCAdSgAwIBAgIQcGf/v1GJfMI8VQ19cqoCPTAKBggqhkjOPQQDAjA/MQswCQYDVQQGEwJVUzEQMA4GA1UEChMHQ29udG9zbzEeMBwGA1UEAxMVSGFuZC1tYWRlIFNhbXBsZSBSb290MCAXDTI1MDEwMTAwMDAwMFoYDzIwOTkxMjMxMDAwMDAwWjBqMQswCQYDVQQGEwJVUzEQMA4GA1UEChMHQ29udG9zbzEiMCAGA1UECxMZQXV0aGVudGljYXRvciBBdHRlc3RhdGlvbjElMCMGA1UEAxMcQ29udG9zbyBUZXN0IEtleSBBdHRlc3RhdGlvbjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABCl1/6l/BepnIkdR7RWs9zCiinzmS1RzjEqEBgUJi0/Vl4RswAK2+uAtb4bxHpQOLbXCG06UnktJ3BM1XaXWljyjgYQwgYEwDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCB4AwHQYDVR0OBBYEFF113zuxrVvITGr5TKipiXJ4ROt3MB8GA1UdIwQYMBaAFIYFla9wU4BzQpBdhL/L0HEY8R7IMCEGCysGAQQBguUcAQEEBBIEEFyhqx4AAEAAgAAAAAAPHQIwCgYIKoZIzj0EAwIDSAAwRQIhAJ2YYaASim6HF7VS94TtRmk2JRDsozMiu4mmp1wOGeYfAiBWZLeNJy04Q0SNDXnS5mW1lJugk+zEm2f/mf8pCr/kdA==',
    'ffS2uQT8jPfKgMhWfUS1RZkq9eTwfoMIzKwNyr/APHs=',
  ].join('\n') + '\n';

/** packed self attestation (no certificate line), eddsa, UP+UV, authenticator data with an hmac-secret extension output (-h). */
export const PACKED_SELF_OUTPUT =
  [
    '7VDb/aw7GKeG9979DIg904fCqplnPA5av70JzumnQzo=',
    'localhost',
    'packed',
    'WK9Jlg3liA6MaHQ0Fw9kdmBbj+SuuaKGMseZXPO6gx2XY8UAAAAAXKGrHgAAQACAAAAAAA8dAgBAllWhb08Kf/tICkOvNEXjthDcBCthjQ0nd9x3tWiwd9RG2eZ7onki2MuEZsyMS0uciMpaMDMU1ucrNWaAxrHQcqQBAQMnIAYhWCDiEq8szPdpYtO14b93sMrO+A1HHwHtoU37ni8yLstcOaFraG1hYy1zZWNyZXT1',
    'llWhb08Kf/tICkOvNEXjthDcBCthjQ0nd9x3tWiwd9RG2eZ7onki2MuEZsyMS0uciMpaMDMU1ucrNWaAxrHQcg==',
    'DTURts345zELMhp/toM4mp/xyqCyzzTotDOH29JRwVrG/dzwaOQ6LNesbwv6n/8ylY6S7pG17Fhk23naJcVsDw==',
  ].join('\n') + '\n';

/** fido-u2f (-u), es256, UP only, zero AAGUID. */
export const FIDO_U2F_OUTPUT =
  [
    '7VDb/aw7GKeG9979DIg904fCqplnPA5av70JzumnQzo=',
    'localhost',
    'fido-u2f',
    'WMRJlg3liA6MaHQ0Fw9kdmBbj+SuuaKGMseZXPO6gx2XY0EAAAAAAAAAAAAAAAAAAAAAAAAAAABADTzNkXkndV7R7SCpJIjf9qnmSPTk5OoywC8x8FW3NY/TS31rJbpJGnsSG0bW1UYGgoAl73AW15jnRJMVLM0KfqUBAgMmIAEhWCBfN7SEFmU/CIV2xmes0NpQXeiOFZdXb5vM3JTSLgluuyJYIFnj9Lg4FgFLNteczHrrX1U4EGrT5rspvPEyrow97unI',
    'DTzNkXkndV7R7SCpJIjf9qnmSPTk5OoywC8x8FW3NY/TS31rJbpJGnsSG0bW1UYGgoAl73AW15jnRJMVLM0Kfg==',
    'MEYCIQDLb76Zz3fMxbiH2DTIvUx84ni0LdDkv1esYVxHvrGL4AIhAMKebatdhgd7EqmqMbEBY/FAP9YKDDRptHfVduvAg3CA',
    'MIICCTCCAa+gAwIBAgIQRIcTzC3qSL0//Wd2pddJ5jAKBggqhkjOPQQDAjA/MQswCQYDVQQGEwJVUzEQMA4GA1UEChMHQ29udG9zbzEeMBwGA1UEAxMVSGFuZC1tYWRlIFNhbXBsZSBSb290MCAXDTI1MDEwMTAwMDAwMFoYDzIwOTkxMjMxMDAwMDAwWjBqMQswCQYDVQQGEwJVUzEQMA4GA1UEChMHQ29udG9zbzEiMCAGA1UECxMZQXV0aGVudGljYXRvciBBdHRlc3RhdGlvbjElMCMGA1UEAxMcQ29udG9zbyBUZXN0IEtleSBBdHRlc3RhdGlvbjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABBb/MhjCPt1qGrzvIawVN8z8cE7oeQHIbOyvbkwQ/5peSJG67KX3qJmYphcsBZVdRc0cbK94ieregEgaZQjFYDWjYDBeMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgeAMB0GA1UdDgQWBBSlbLUQF3S0PJMO4xIvNm5G3wIg5jAfBgNVHSMEGDAWgBSGBZWvcFOAc0KQXYS/y9BxGPEeyDAKBggqhkjOPQQDAgNIADBFAiB96zNkRCS7r94zHXnS99G4VuaERE0AwJeD1tc6ztH6wAIhAIIUA3DGqk9ywmMQ7N+aa3YMJw9mhgiqFQKVlZPyj8Dw',
  ].join('\n') + '\n';
