//! The fault catalog: named, deliberate deviations from the contracts.
//!
//! Why: a check is only trustworthy if it can be seen to fail. Each fault changes exactly
//! one behaviour of the reference server and leaves everything else correct, so a
//! fault-injection test can require that the check aimed at that behaviour (and ideally no
//! other) reports it. The "hostile target" faults go further and probe the harness's own
//! defences (huge, endless, slow or malformed answers; redirects to another origin).
//!
//! Faults compose with the lenient mode (`lenient`): each applies on top of it. A fault's
//! refusal takes the mode's status for that kind of refusal (`tss-valid-gender-refused` is
//! 422 in lenient mode, `tenpay-max-id-refused` 404); a status the fault names outside that
//! table (418, 429, 500, 201, 307) stays. A few are moot in lenient mode, which already does
//! what they do: `tss-platform-unchecked`, `tss-enum-case-insensitive` (it still lowercases
//! the gender), `tropipay-overlong-accepted`, and `tenpay-problem-as-json` for 4xx (lenient
//! 4xx are `application/json` already).

use std::collections::HashSet;

use super::ServerError;

/// One entry of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultInfo {
    /// The name to pass in `ServerOptions::faults`.
    pub name: &'static str,
    /// The contract it breaks: `tropipay`, `tss`, `tenpay` or `onboard`.
    pub contract: &'static str,
    /// What changes, in one line.
    pub description: &'static str,
}

/// Declares the `Fault` enum and the catalog from one table, so they cannot drift apart.
macro_rules! faults {
    ($($variant:ident => $name:literal, $contract:literal, $description:literal;)+) => {
        /// A fault the server knows how to inject.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub(crate) enum Fault {
            $($variant,)+
        }

        const ALL: &[(Fault, FaultInfo)] = &[
            $((Fault::$variant, FaultInfo {
                name: $name,
                contract: $contract,
                description: $description,
            }),)+
        ];

        const CATALOG: &[FaultInfo] = &[
            $(FaultInfo { name: $name, contract: $contract, description: $description },)+
        ];
    };
}

faults! {
    TropipayProfileStatus201 => "tropipay-profile-status-201", "tropipay",
        "GET /users/profile answers 201 instead of 200";
    TropipayProfileNoEmail => "tropipay-profile-no-email", "tropipay",
        "user objects (profile, validateToken) omit `email`";
    TropipayError418 => "tropipay-error-418", "tropipay",
        "answers 418 wherever a 400 or 401 is due (a status outside the error-code table)";
    TropipayCodePatternSkipped => "tropipay-code-pattern-skipped", "tropipay",
        "validateToken accepts any securityCode string (no 6-digit check)";
    TropipaySmsConditionalSkipped => "tropipay-sms-conditional-skipped", "tropipay",
        "sendSecurityCode type sms without callingCode is accepted";
    TropipayBasicAuthAccepted => "tropipay-basic-auth-accepted", "tropipay",
        "`Authorization: Basic <token>` is accepted like Bearer";
    TropipayOverlongAccepted => "tropipay-overlong-accepted", "tropipay",
        "no maxLength checks on tropipay strings";
    TropipayPhoneNotUpdated => "tropipay-phone-not-updated", "tropipay",
        "validateToken succeeds but does not apply the pending phone/email";
    TropipayQrOtherSecret => "tropipay-qr-other-secret", "tropipay",
        "the 2FA QR code encodes a different secret than `secret`";
    TropipayTotpUnverified => "tropipay-totp-unverified", "tropipay",
        "/users/2fa accepts any 6-digit code for type totp";
    TropipayValidateNoToken => "tropipay-validate-no-token", "tropipay",
        "validateToken answers isValid true and the user, but no `token`";
    TropipayWrongCodeValid => "tropipay-wrong-code-valid", "tropipay",
        "validateToken answers isValid true for any 6-digit code";
    TropipayPassNoCheck => "tropipay-pass-no-check", "tropipay",
        "/users/pass does not check oldPass";
    TropipayDisableTokenAlive => "tropipay-disable-token-alive", "tropipay",
        "a disabled account's token keeps working";
    TropipayRedirectOtherOrigin => "tropipay-redirect-other-origin", "tropipay",
        "hostile target: GET /users/profile answers 307 to another origin (127.0.0.2)";
    TssMoneyUnrounded => "tss-money-unrounded", "tss",
        "money fields rendered with 3 decimals (e.g. 150.505)";
    TssProfile500 => "tss-profile-500", "tss",
        "GET /api/user/profile answers 500 with a JSON body";
    TssMalformedJson500 => "tss-malformed-json-500", "tss",
        "a body that is not valid JSON gives 500 on every tss POST";
    TssWrongTypeAccepted => "tss-wrong-type-accepted", "tss",
        "non-string firstname/lastname (number, bool) are accepted and stored stringified";
    TssValidGenderRefused => "tss-valid-gender-refused", "tss",
        "gender \"female\" is refused as invalid input (400; 422 in lenient mode)";
    TssPlatformUnchecked => "tss-platform-unchecked", "tss",
        "any platform query value is accepted";
    TssContentTypeIgnored => "tss-content-type-ignored", "tss",
        "POST bodies are parsed whatever the Content-Type";
    TssEnumCaseInsensitive => "tss-enum-case-insensitive", "tss",
        "gender compared case-insensitively (\"MALE\" accepted)";
    TssBirthdateFormatUnchecked => "tss-birthdate-format-unchecked", "tss",
        "any birthdate string is accepted (no YYYY-MM-DD check)";
    TssNoSanitize => "tss-no-sanitize", "tss",
        "names stored as sent (markup kept)";
    TssBirthdateSkipOverwrites => "tss-birthdate-skip-overwrites", "tss",
        "birthdate \"0000-00-00\" is stored instead of keeping the old one";
    TssDisableBirthdateIgnored => "tss-disable-birthdate-ignored", "tss",
        "birthdate changes apply even when disable_birthdate is true";
    TssTelephoneNotUnique => "tss-telephone-not-unique", "tss",
        "a telephone held by another user is accepted";
    TssEmailOverwritten => "tss-email-overwritten", "tss",
        "a permanent email is replaced";
    Tss2faAppliesImmediately => "tss-2fa-applies-immediately", "tss",
        "/profile/2fa applies telephone/2FA changes at once (still says is_otp_sent true)";
    TssOtpUnchecked => "tss-otp-unchecked", "tss",
        "verify-otp accepts any 6-digit otp";
    TssSessionsKept => "tss-sessions-kept", "tss",
        "change-password keeps the other sessions alive";
    TssAccessTokenDead => "tss-access-token-dead", "tss",
        "the access_token from verify-otp is not accepted afterwards";
    TssVerifyNoAccessToken => "tss-verify-no-access-token", "tss",
        "verify-otp omits access_token although the telephone changed";
    TssProfilePhoneNoOtp => "tss-profile-phone-no-otp", "tss",
        "POST /profile applies a telephone change of a 2FA user without OTP";
    TenpayTextContentType => "tenpay-text-content-type", "tenpay",
        "200 answers carry Content-Type text/plain (same JSON body)";
    TenpayStatus1 => "tenpay-status-1", "tenpay",
        "user 1003 reports the non-canonical \"status\": 1";
    TenpayProblemAsJson => "tenpay-problem-as-json", "tenpay",
        "error answers are application/json instead of application/problem+json";
    TenpayIdZeroAccepted => "tenpay-id-zero-accepted", "tenpay",
        "id 0 answers 200 (as if user 1001)";
    TenpayMaxIdRefused => "tenpay-max-id-refused", "tenpay",
        "id 2147483647 is refused as an invalid id (400; 404 in lenient mode): an off-by-one range check";
    TenpayRateLimited => "tenpay-rate-limited", "tenpay",
        "the first request for each id answers 429 with Retry-After: 1";
    TenpayAlways429 => "tenpay-always-429", "tenpay",
        "every request answers 429 with Retry-After: 0";
    TenpayUnknown200 => "tenpay-unknown-200", "tenpay",
        "an unknown in-range id answers 200 with status 200 and all flags false";
    TenpayHugeBody => "tenpay-huge-body", "tenpay",
        "hostile target: 200 answers stream a 1 GiB JSON-ish body";
    TenpayEndlessBody => "tenpay-endless-body", "tenpay",
        "hostile target: 200 answers stream forever (chunked)";
    TenpayInvalidUtf8 => "tenpay-invalid-utf8", "tenpay",
        "hostile target: 200 bodies contain invalid UTF-8 (Content-Type application/json)";
    TenpayDeepJson => "tenpay-deep-json", "tenpay",
        "hostile target: 200 bodies are 10000 nested arrays";
    OnboardAuthIgnored => "onboard-auth-ignored", "onboard",
        "/users/me answers 200 with no or any x-auth-token";
    OnboardMerchantFlags => "onboard-merchant-flags", "onboard",
        "the CUSTOMER user reports isMerchant true";
    OnboardKycRetryOver => "onboard-kyc-retry-over", "onboard",
        "kycRetryCount is greater than kycRetryLimit";
    OnboardNeverAnswers => "onboard-never-answers", "onboard",
        "hostile target: /users/me never answers (the connection stays open)";
    OnboardSlowBody => "onboard-slow-body", "onboard",
        "hostile target: /users/me sends its body one byte per second";
    OnboardHugeNumber => "onboard-huge-number", "onboard",
        "hostile target: kycRetryCount is the literal number 1e400";
    OnboardDuplicateKeys => "onboard-duplicate-keys", "onboard",
        "hostile target: the body has \"userId\" twice with different values";
}

/// Every fault the server knows, in catalog order.
pub fn fault_catalog() -> &'static [FaultInfo] {
    CATALOG
}

/// The known names, comma-separated, for error messages.
pub(crate) fn known_names() -> String {
    CATALOG
        .iter()
        .map(|info| info.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The faults one server runs with.
#[derive(Debug, Clone, Default)]
pub(crate) struct FaultSet(HashSet<Fault>);

impl FaultSet {
    /// Resolves names against the catalog; duplicates are harmless.
    pub(crate) fn parse(names: &[String]) -> Result<Self, ServerError> {
        let mut set = HashSet::new();
        for name in names {
            let fault = ALL
                .iter()
                .find(|(_, info)| info.name == name.trim())
                .map(|(fault, _)| *fault)
                .ok_or_else(|| ServerError::UnknownFault(name.clone()))?;
            set.insert(fault);
        }
        Ok(Self(set))
    }

    pub(crate) fn has(&self, fault: Fault) -> bool {
        self.0.contains(&fault)
    }
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn names_are_unique_and_contracts_known() {
        let mut seen = HashSet::new();
        for info in fault_catalog() {
            assert!(seen.insert(info.name), "duplicate fault {}", info.name);
            assert!(
                ["tropipay", "tss", "tenpay", "onboard"].contains(&info.contract),
                "{}",
                info.name
            );
            assert!(info.name.starts_with(info.contract), "{}", info.name);
        }
        assert!(fault_catalog().len() >= 49);
    }

    #[test]
    fn unknown_fault_lists_the_known_ones() {
        let err = FaultSet::parse(&["nope".to_string()]).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("`nope`"), "{text}");
        assert!(text.contains("tenpay-status-1"), "{text}");
    }

    #[test]
    fn parses_known_names() {
        let set = FaultSet::parse(&["tenpay-status-1".to_string()]).unwrap();
        assert!(set.has(Fault::TenpayStatus1));
        assert!(!set.has(Fault::TenpayDeepJson));
    }
}
