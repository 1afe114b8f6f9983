import { useMemo, useState } from 'react';
import type { ManagementApi } from '../../api.ts';
import { ErrorMessage } from '../../components.tsx';
import type { Connector, ConnectorCheck, ConnectorCheckReport } from '../../connectors-api.ts';
import { definePhrases, useT } from '../../i18n.ts';

const phrases = definePhrases({
  en: {
    title: 'Test the settings',
    intro:
      'The server checks the saved settings against the provider, through the outbound guard: the discovery document, the issuer, the signing keys (JWKS) and the endpoints. Nobody is signed in and the client secret is not sent.',
    test: 'Test',
    testing: 'Testing…',
    passed: 'No check failed.',
    failed: 'A check failed: sign-in will not work with these settings.',
    results: 'Test results',
    check: 'Check',
    result: 'Result',
    found: 'What was found',
    pass: 'Pass',
    warn: 'Warning',
    fail: 'Fail',
    skip: 'Skipped',
    discovery: 'Discovery document',
    issuer: 'Issuer',
    endpoints: 'Endpoints',
    jwks: 'Signing keys (JWKS)',
    authorization_endpoint: 'Authorization endpoint',
    token_endpoint: 'Token endpoint',
    userinfo_endpoint: 'Userinfo endpoint',
    unsupported: 'Not applicable',
    openTitle: "The provider's sign-in page",
    openIntro:
      "Opens the provider's sign-in page in a new tab with this connector's saved client ID, scope and callback URI: a wrong client ID or a callback URI the provider does not know shows there. After you sign in there, Gatehouse refuses the answer (no sign-in was started from its sign-in page): nobody is signed in and no user is created.",
    open: "Open the provider's sign-in page",
    newTab: '(opens in a new tab)',
  },
  th: {
    title: 'ทดสอบการตั้งค่า',
    intro:
      'เซิร์ฟเวอร์จะตรวจการตั้งค่าที่บันทึกไว้กับผู้ให้บริการผ่านตัวป้องกันคำขอขาออก ได้แก่ เอกสาร discovery, issuer, กุญแจลงนาม (JWKS) และ endpoint ต่าง ๆ โดยไม่มีการลงชื่อเข้าใช้ และไม่ส่ง client secret',
    test: 'ทดสอบ',
    testing: 'กำลังทดสอบ…',
    passed: 'ไม่มีรายการตรวจที่ไม่ผ่าน',
    failed: 'มีรายการตรวจที่ไม่ผ่าน: การลงชื่อเข้าใช้จะใช้งานไม่ได้ด้วยการตั้งค่านี้',
    results: 'ผลการทดสอบ',
    check: 'รายการตรวจ',
    result: 'ผล',
    found: 'สิ่งที่พบ',
    pass: 'ผ่าน',
    warn: 'คำเตือน',
    fail: 'ไม่ผ่าน',
    skip: 'ข้าม',
    discovery: 'เอกสาร discovery',
    issuer: 'ผู้ออกโทเค็น (issuer)',
    endpoints: 'Endpoint ต่าง ๆ',
    jwks: 'กุญแจลงนาม (JWKS)',
    authorization_endpoint: 'Authorization endpoint',
    token_endpoint: 'Token endpoint',
    userinfo_endpoint: 'Userinfo endpoint',
    unsupported: 'ไม่รองรับ',
    openTitle: 'หน้าลงชื่อเข้าใช้ของผู้ให้บริการ',
    openIntro:
      'เปิดหน้าลงชื่อเข้าใช้ของผู้ให้บริการในแท็บใหม่ด้วย client ID, scope และ callback URI ที่บันทึกไว้ของตัวเชื่อมต่อนี้ หาก client ID ผิดหรือผู้ให้บริการไม่รู้จัก callback URI จะเห็นข้อผิดพลาดที่หน้านั้น หลังจากลงชื่อเข้าใช้ที่นั่น Gatehouse จะปฏิเสธคำตอบ (เพราะไม่ได้เริ่มการลงชื่อเข้าใช้จากหน้าของ Gatehouse) จึงไม่มีใครถูกลงชื่อเข้าใช้และไม่มีการสร้างผู้ใช้',
    open: 'เปิดหน้าลงชื่อเข้าใช้ของผู้ให้บริการ',
    newTab: '(เปิดในแท็บใหม่)',
  },
});

const statusClass: Record<ConnectorCheck['status'], string> = {
  pass: 'check-pass',
  warn: 'check-warn',
  fail: 'check-fail',
  skip: 'check-skip',
};

/** 32 random bytes, base64url (43 characters). */
const randomToken = () =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

/**
 * The provider's authorization request as Gatehouse sends it (connectors/social/authorization-request.ts), with
 * the connector's saved public settings (no secret): `client_id`, the callback URI, `scope` (OIDC: with `openid`),
 * PKCE, and a fresh `state` (and `nonce`) that no sign-in is waiting for, so the callback that follows is refused
 * by Gatehouse (experience/social.ts). The PKCE challenge is random and its verifier is never kept: the code the
 * provider answers can never be redeemed.
 */
export const providerSignInUrl = (connector: Connector, callbackUri: string): string | undefined => {
  const { authorizationEndpoint, clientId, scope } = connector.config;
  if (typeof authorizationEndpoint !== 'string' || typeof clientId !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(authorizationEndpoint);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const scopes = typeof scope === 'string' ? scope.split(/\s+/).filter(Boolean) : [];
  if (connector.connectorId === 'oidc' && !scopes.includes('openid')) scopes.unshift('openid');
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', clientId);
  url.searchParams.set('redirect_uri', callbackUri);
  if (scopes.length > 0) url.searchParams.set('scope', scopes.join(' '));
  url.searchParams.set('state', randomToken());
  if (connector.connectorId === 'oidc') url.searchParams.set('nonce', randomToken());
  url.searchParams.set('code_challenge', randomToken());
  url.searchParams.set('code_challenge_method', 'S256');
  return url.toString();
};

/**
 * The "Test" of a social connector: `POST /api/connectors/:id/test` checks the saved settings from the server
 * (connectors/social/config-check.ts) and the report is shown check by check.
 */
export const ConnectorTest = ({
  api,
  connector,
  callbackUri,
}: {
  api: ManagementApi;
  connector: Connector;
  callbackUri: string;
}) => {
  const t = useT(phrases);
  const { id } = connector;
  const signInUrl = useMemo(() => providerSignInUrl(connector, callbackUri), [connector, callbackUri]);
  const [report, setReport] = useState<ConnectorCheckReport>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setReport(await api.testConnector(id));
    } catch (failure) {
      setReport(undefined);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card stack" aria-labelledby="connector-test-title">
      <h2 id="connector-test-title">{t('title')}</h2>
      <p className="muted">{t('intro')}</p>
      <div className="row">
        <button type="button" onClick={run} disabled={busy} aria-busy={busy}>
          {busy ? t('testing') : t('test')}
        </button>
      </div>
      <ErrorMessage error={error} />
      <div aria-live="polite">
        {report ? (
          <div className="stack">
            <p className={report.ok ? 'check-pass' : 'check-fail'} data-testid="connector-test-verdict">
              {report.ok ? t('passed') : t('failed')}
            </p>
            <table aria-label={t('results')}>
              <thead>
                <tr>
                  <th scope="col">{t('check')}</th>
                  <th scope="col">{t('result')}</th>
                  <th scope="col">{t('found')}</th>
                </tr>
              </thead>
              <tbody>
                {report.checks.map((check) => (
                  <tr key={check.name} data-check={check.name}>
                    <th scope="row">{t(check.name)}</th>
                    <td className={statusClass[check.status]}>{t(check.status)}</td>
                    <td>{check.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </div>
      <h3>{t('openTitle')}</h3>
      <p className="muted">{t('openIntro')}</p>
      {signInUrl ? (
        <p>
          <a
            className="button"
            href={signInUrl}
            target="_blank"
            rel="noopener noreferrer"
            // A fresh state at each click.
            onClick={(event) => {
              event.currentTarget.href = providerSignInUrl(connector, callbackUri) ?? signInUrl;
            }}
          >
            {t('open')} <span className="visually-hidden">{t('newTab')}</span>
          </a>
        </p>
      ) : null}
    </section>
  );
};
