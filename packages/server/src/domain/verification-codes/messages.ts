import type { CodeLocale, Purpose } from './verification-codes.schemas.ts';

type Texts = {
  subject: Record<Purpose, string>;
  intro: Record<Purpose, string>;
  expiry: string;
  lang: string;
};

// The email carries nothing but the code and fixed text: no name or address the requester typed, so the
// message cannot be used to send someone else's words from this server.
const texts: Record<CodeLocale, Texts> = {
  en: {
    lang: 'en',
    subject: {
      SignIn: 'Your sign-in code',
      Register: 'Your code to create an account',
      ForgotPassword: 'Your password reset code',
      Generic: 'Your verification code',
    },
    intro: {
      SignIn: 'Use this code to sign in:',
      Register: 'Use this code to finish creating your account:',
      ForgotPassword: 'Use this code to reset your password:',
      Generic: 'Use this code to verify your email address:',
    },
    expiry: 'The code expires in 10 minutes. If you did not ask for it, you can ignore this email.',
  },
  th: {
    lang: 'th',
    subject: {
      SignIn: 'รหัสสำหรับเข้าสู่ระบบของคุณ',
      Register: 'รหัสสำหรับสร้างบัญชีของคุณ',
      ForgotPassword: 'รหัสสำหรับรีเซ็ตรหัสผ่านของคุณ',
      Generic: 'รหัสยืนยันของคุณ',
    },
    intro: {
      SignIn: 'ใช้รหัสนี้เพื่อเข้าสู่ระบบ:',
      Register: 'ใช้รหัสนี้เพื่อสร้างบัญชีของคุณให้เสร็จสมบูรณ์:',
      ForgotPassword: 'ใช้รหัสนี้เพื่อรีเซ็ตรหัสผ่านของคุณ:',
      Generic: 'ใช้รหัสนี้เพื่อยืนยันที่อยู่อีเมลของคุณ:',
    },
    expiry: 'รหัสนี้จะหมดอายุใน 10 นาที หากคุณไม่ได้ขอรหัสนี้ คุณสามารถเพิกเฉยต่ออีเมลฉบับนี้ได้',
  },
};

/** The subject and bodies of the email carrying `code` (six digits). */
export const codeEmail = (locale: CodeLocale, purpose: Purpose, code: string) => {
  const t = texts[locale];
  return {
    subject: t.subject[purpose],
    text: `${t.intro[purpose]}\n\n${code}\n\n${t.expiry}\n`,
    html: [
      `<!doctype html><html lang="${t.lang}"><body style="font-family:system-ui,sans-serif">`,
      `<p>${t.intro[purpose]}</p>`,
      `<p style="font-size:28px;font-weight:700;letter-spacing:6px">${code}</p>`,
      `<p style="color:#555">${t.expiry}</p>`,
      '</body></html>',
    ].join(''),
  };
};
