import { describe, expect, it } from 'vitest';
import { smtpFailure } from './smtp-mailer.js';

describe('SMTP failure classification', () => {
  it('GIVEN nodemailer errors WHEN classified THEN 4xx is temporary or throttling, 5xx permanent, no reply a connection failure', () => {
    expect(smtpFailure({ code: 'EENVELOPE', responseCode: 451, response: '451 4.3.0 Error' })).toBe(
      'temporary',
    );
    expect(
      smtpFailure({
        code: 'EENVELOPE',
        responseCode: 421,
        response: '421 4.7.0 Too many messages, slow down',
      }),
    ).toBe('throttling');
    expect(
      smtpFailure({ code: 'EMESSAGE', responseCode: 454, response: '454 Throttling failure' }),
    ).toBe('throttling');
    expect(
      smtpFailure({ code: 'EENVELOPE', responseCode: 550, response: '550 no such user' }),
    ).toBe('permanent');
    expect(smtpFailure({ code: 'EAUTH', responseCode: 535 })).toBe('permanent');
    expect(smtpFailure({ code: 'ECONNECTION' })).toBe('connection');
    expect(smtpFailure({ code: 'ETIMEDOUT' })).toBe('connection');
    expect(smtpFailure(new Error('socket hang up'))).toBe('connection');
  });
});
