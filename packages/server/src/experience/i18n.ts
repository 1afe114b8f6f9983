/**
 * Every string of the hosted pages, in English and Thai (SPEC §5). A key missing in one language fails the
 * type check, so no page can show an untranslated string.
 */
const en = {
  'sign_in.title': 'Sign in',
  'sign_in.subtitle': 'to continue to {{app}}',
  'sign_in.identifier': 'Username or email',
  'sign_in.identifier.email': 'Email',
  'sign_in.identifier.username': 'Username',
  'sign_in.password': 'Password',
  'sign_in.submit': 'Sign in',
  'sign_in.failed': 'The account or password is incorrect.',
  'sign_in.no_account': 'No account yet?',
  'sign_in.create_account': 'Create one',
  'sign_in.forgot_password': 'Forgot your password?',
  'sign_in.with_code': 'Sign in with an email code',
  'sign_in.with_password': 'Sign in with a password',
  'register.title': 'Create your account',
  'register.subtitle': 'for {{app}}',
  'register.username': 'Username',
  'register.email': 'Email',
  'register.password': 'Password',
  'register.password_hint': 'At least {{min}} characters. Spaces and any language are fine.',
  'register.submit': 'Create account',
  'register.have_account': 'Already have an account?',
  'register.sign_in': 'Sign in',
  'register.taken': 'This username or email cannot be used. Try another.',
  'register.disabled': 'Registration is closed. Sign in instead.',
  'code.title': 'Check your email',
  'code.subtitle': 'We sent a 6-digit code to {{email}}. It expires in 10 minutes.',
  'code.email': 'Email',
  'code.send': 'Send code',
  'code.code': 'Verification code',
  'code.submit': 'Continue',
  'code.invalid': 'The code is incorrect or has expired.',
  'code.request_title': 'Sign in with a code',
  'forgot.title': 'Reset your password',
  'forgot.subtitle': 'Enter your email and we will send you a code.',
  'forgot.new_password': 'New password',
  'forgot.submit': 'Set new password',
  'forgot.done': 'Your password was changed. Sign in with it now.',
  'consent.title': '{{app}} wants to access your account',
  'consent.scopes': 'It asks to:',
  'consent.approve': 'Allow',
  'consent.deny': 'Deny',
  'consent.signed_in_as': 'Signed in as {{user}}',
  'scope.openid': 'Know who you are',
  'scope.profile': 'See your name and picture',
  'scope.email': 'See your email address',
  'scope.phone': 'See your phone number',
  'scope.offline_access': 'Keep access while you are away',
  'scope.custom_data': 'See your custom data',
  'scope.identities': 'See your linked accounts',
  'scope.roles': 'See your roles',
  'scope.other': 'Use the permission “{{scope}}”',
  'error.title': 'Something went wrong',
  'error.session': 'This sign-in page has expired. Go back to the app and start again.',
  'error.csrf': 'This form has expired. Reload the page and try again.',
  'error.rate_limited': 'Too many attempts. Wait a moment and try again.',
  'error.generic': 'We could not complete your request.',
  'error.too_large': 'This form is too large. Shorten what you entered and try again.',
  'error.back': 'Back to sign in',
  'policy.too_short': 'The password must have at least {{min}} characters.',
  'policy.too_long': 'The password must have at most {{max}} characters.',
  'policy.breached': 'This password is too common. Choose another.',
  'policy.personal': 'The password must not contain your username or email.',
  'policy.character_types': 'Use more kinds of characters (upper and lower case, digits, symbols).',
  'policy.invalid': 'This password cannot be used.',
  'field.required': 'This field is required.',
  'field.email': 'Enter a valid email address.',
  'field.username': 'Letters, digits and underscores; not starting with a digit.',
  'terms.agree': 'By continuing you agree to the {{terms}} and the {{privacy}}.',
  'terms.terms': 'terms of use',
  'terms.privacy': 'privacy policy',
  'sign_out.title': 'Sign out',
  'sign_out.question': 'Do you want to sign out?',
  'sign_out.question_app':
    'Do you want to sign out of {{app}}? You will be signed out of every app that uses this account here.',
  'sign_out.confirm': 'Sign out',
  'sign_out.stay': 'Stay signed in',
  'sign_out.done_title': 'Signed out',
  'sign_out.done': 'You are signed out. You can close this window.',
  'social.continue_with': 'Continue with {{name}}',
  'social.or': 'or',
  'social.failed': 'Signing in with {{name}} did not work. Try again, or sign in another way.',
  'social.denied': 'Signing in with {{name}} was cancelled.',
  'social.no_account': 'No account here uses this {{name}} sign-in, and new accounts cannot be created.',
  'link.title': 'Link your {{name}} account',
  'link.subtitle':
    'An account with {{email}} already exists here. Enter its password to link your {{name}} sign-in to it. Next time, Continue with {{name}} signs you in to this account.',
  'link.password': 'Password of the existing account',
  'link.submit': 'Link and sign in',
  'link.cancel': 'Cancel',
  'language.label': 'Language',
} as const;

export type MessageKey = keyof typeof en;

const th: Record<MessageKey, string> = {
  'sign_in.title': 'เข้าสู่ระบบ',
  'sign_in.subtitle': 'เพื่อใช้งาน {{app}} ต่อ',
  'sign_in.identifier': 'ชื่อผู้ใช้หรืออีเมล',
  'sign_in.identifier.email': 'อีเมล',
  'sign_in.identifier.username': 'ชื่อผู้ใช้',
  'sign_in.password': 'รหัสผ่าน',
  'sign_in.submit': 'เข้าสู่ระบบ',
  'sign_in.failed': 'บัญชีหรือรหัสผ่านไม่ถูกต้อง',
  'sign_in.no_account': 'ยังไม่มีบัญชีใช่ไหม',
  'sign_in.create_account': 'สร้างบัญชี',
  'sign_in.forgot_password': 'ลืมรหัสผ่าน',
  'sign_in.with_code': 'เข้าสู่ระบบด้วยรหัสทางอีเมล',
  'sign_in.with_password': 'เข้าสู่ระบบด้วยรหัสผ่าน',
  'register.title': 'สร้างบัญชีของคุณ',
  'register.subtitle': 'สำหรับ {{app}}',
  'register.username': 'ชื่อผู้ใช้',
  'register.email': 'อีเมล',
  'register.password': 'รหัสผ่าน',
  'register.password_hint': 'อย่างน้อย {{min}} ตัวอักษร ใช้ช่องว่างและภาษาใดก็ได้',
  'register.submit': 'สร้างบัญชี',
  'register.have_account': 'มีบัญชีอยู่แล้วใช่ไหม',
  'register.sign_in': 'เข้าสู่ระบบ',
  'register.taken': 'ไม่สามารถใช้ชื่อผู้ใช้หรืออีเมลนี้ได้ โปรดลองใหม่',
  'register.disabled': 'ปิดรับการสมัครสมาชิก โปรดเข้าสู่ระบบแทน',
  'code.title': 'ตรวจสอบอีเมลของคุณ',
  'code.subtitle': 'เราส่งรหัส 6 หลักไปที่ {{email}} รหัสจะหมดอายุใน 10 นาที',
  'code.email': 'อีเมล',
  'code.send': 'ส่งรหัส',
  'code.code': 'รหัสยืนยัน',
  'code.submit': 'ดำเนินการต่อ',
  'code.invalid': 'รหัสไม่ถูกต้องหรือหมดอายุแล้ว',
  'code.request_title': 'เข้าสู่ระบบด้วยรหัส',
  'forgot.title': 'ตั้งรหัสผ่านใหม่',
  'forgot.subtitle': 'กรอกอีเมลของคุณ แล้วเราจะส่งรหัสให้',
  'forgot.new_password': 'รหัสผ่านใหม่',
  'forgot.submit': 'บันทึกรหัสผ่านใหม่',
  'forgot.done': 'เปลี่ยนรหัสผ่านแล้ว เข้าสู่ระบบด้วยรหัสผ่านใหม่ได้เลย',
  'consent.title': '{{app}} ขอเข้าถึงบัญชีของคุณ',
  'consent.scopes': 'แอปนี้ขอสิทธิ์เพื่อ:',
  'consent.approve': 'อนุญาต',
  'consent.deny': 'ปฏิเสธ',
  'consent.signed_in_as': 'เข้าสู่ระบบในชื่อ {{user}}',
  'scope.openid': 'ทราบว่าคุณเป็นใคร',
  'scope.profile': 'ดูชื่อและรูปภาพของคุณ',
  'scope.email': 'ดูอีเมลของคุณ',
  'scope.phone': 'ดูหมายเลขโทรศัพท์ของคุณ',
  'scope.offline_access': 'เข้าถึงต่อได้แม้คุณไม่ได้ใช้งานอยู่',
  'scope.custom_data': 'ดูข้อมูลเพิ่มเติมของคุณ',
  'scope.identities': 'ดูบัญชีที่เชื่อมโยงของคุณ',
  'scope.roles': 'ดูบทบาทของคุณ',
  'scope.other': 'ใช้สิทธิ์ “{{scope}}”',
  'error.title': 'เกิดข้อผิดพลาด',
  'error.session': 'หน้าเข้าสู่ระบบนี้หมดอายุแล้ว โปรดกลับไปที่แอปแล้วเริ่มใหม่',
  'error.csrf': 'แบบฟอร์มนี้หมดอายุแล้ว โปรดโหลดหน้าใหม่แล้วลองอีกครั้ง',
  'error.rate_limited': 'ลองหลายครั้งเกินไป โปรดรอสักครู่แล้วลองใหม่',
  'error.generic': 'เราไม่สามารถดำเนินการตามคำขอของคุณได้',
  'error.too_large': 'ข้อมูลในแบบฟอร์มนี้ยาวเกินไป โปรดย่อให้สั้นลงแล้วลองอีกครั้ง',
  'error.back': 'กลับไปหน้าเข้าสู่ระบบ',
  'policy.too_short': 'รหัสผ่านต้องมีอย่างน้อย {{min}} ตัวอักษร',
  'policy.too_long': 'รหัสผ่านต้องมีไม่เกิน {{max}} ตัวอักษร',
  'policy.breached': 'รหัสผ่านนี้พบบ่อยเกินไป โปรดเลือกรหัสอื่น',
  'policy.personal': 'รหัสผ่านต้องไม่มีชื่อผู้ใช้หรืออีเมลของคุณ',
  'policy.character_types': 'ใช้ตัวอักษรหลายประเภทมากขึ้น (ตัวพิมพ์ใหญ่ ตัวพิมพ์เล็ก ตัวเลข สัญลักษณ์)',
  'policy.invalid': 'ไม่สามารถใช้รหัสผ่านนี้ได้',
  'field.required': 'โปรดกรอกข้อมูลนี้',
  'field.email': 'โปรดกรอกอีเมลที่ถูกต้อง',
  'field.username': 'ใช้ตัวอักษร ตัวเลข และขีดล่าง โดยไม่ขึ้นต้นด้วยตัวเลข',
  'terms.agree': 'การดำเนินการต่อถือว่าคุณยอมรับ{{terms}}และ{{privacy}}',
  'terms.terms': 'ข้อกำหนดการใช้งาน',
  'terms.privacy': 'นโยบายความเป็นส่วนตัว',
  'sign_out.title': 'ออกจากระบบ',
  'sign_out.question': 'ต้องการออกจากระบบใช่ไหม',
  'sign_out.question_app': 'ต้องการออกจากระบบ {{app}} ใช่ไหม คุณจะออกจากระบบทุกแอปที่ใช้บัญชีนี้บนอุปกรณ์นี้',
  'sign_out.confirm': 'ออกจากระบบ',
  'sign_out.stay': 'อยู่ในระบบต่อ',
  'sign_out.done_title': 'ออกจากระบบแล้ว',
  'sign_out.done': 'คุณออกจากระบบแล้ว ปิดหน้าต่างนี้ได้เลย',
  'social.continue_with': 'ดำเนินการต่อด้วย {{name}}',
  'social.or': 'หรือ',
  'social.failed': 'เข้าสู่ระบบด้วย {{name}} ไม่สำเร็จ โปรดลองอีกครั้ง หรือเข้าสู่ระบบด้วยวิธีอื่น',
  'social.denied': 'การเข้าสู่ระบบด้วย {{name}} ถูกยกเลิก',
  'social.no_account': 'ไม่มีบัญชีที่ใช้การเข้าสู่ระบบ {{name}} นี้ และไม่สามารถสร้างบัญชีใหม่ได้',
  'link.title': 'เชื่อมโยงบัญชี {{name}} ของคุณ',
  'link.subtitle':
    'มีบัญชีที่ใช้ {{email}} อยู่แล้ว ป้อนรหัสผ่านของบัญชีนั้นเพื่อเชื่อมโยงการเข้าสู่ระบบ {{name}} ครั้งต่อไป ดำเนินการต่อด้วย {{name}} จะพาคุณเข้าสู่บัญชีนี้',
  'link.password': 'รหัสผ่านของบัญชีที่มีอยู่',
  'link.submit': 'เชื่อมโยงและเข้าสู่ระบบ',
  'link.cancel': 'ยกเลิก',
  'language.label': 'ภาษา',
};

export const locales = { en, th } as const;
export type Locale = keyof typeof locales;
export const supportedLocales: Locale[] = ['en', 'th'];

const isLocale = (value: string): value is Locale => (supportedLocales as string[]).includes(value);

/** `ui_locales` first (OIDC Core §3.1.2.1), then `Accept-Language` by quality, then the fallback. */
export const pickLocale = (
  uiLocales: unknown,
  acceptLanguage: string | undefined,
  fallback: Locale = 'en',
): Locale => {
  const fromUi = typeof uiLocales === 'string' ? uiLocales.split(/\s+/) : [];
  for (const tag of fromUi) {
    const base = tag.toLowerCase().split('-')[0] ?? '';
    if (isLocale(base)) return base;
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((param) => param.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      );
      return { base: tag.toLowerCase().split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { base } of ranked) if (isLocale(base)) return base;
  return fallback;
};

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export const translator =
  (locale: Locale): Translate =>
  (key, values) =>
    locales[locale][key].replace(/\{\{(\w+)\}\}/g, (whole, name: string) => String(values?.[name] ?? whole));
