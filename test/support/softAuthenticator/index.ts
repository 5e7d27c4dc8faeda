// The soft authenticator lives in cli/authenticators/soft (the provisioning station ships it in the
// build); tests keep importing it from here.
export * from '../../../cli/authenticators/soft';
