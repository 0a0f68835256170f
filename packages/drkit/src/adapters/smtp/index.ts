export { SmtpMailer, smtpFailure, type SmtpMailerOptions } from './smtp-mailer.js';
